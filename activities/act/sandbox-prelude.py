# Runs once in every act sandbox before it is handed a script. It defines _par_act_run, which
# the sandbox's JavaScript calls with the job and a function that sends one JSON request to the
# worker and returns its JSON reply. The import refusals below give scripts clear messages; they
# are a courtesy, not the boundary: the boundary is the sandbox process (see docs/act-sandbox.md).

import builtins
import importlib.abc
import json
import keyword
import linecache
import math
import sys
import traceback

_SCRIPT_NAME = "<act>"
_PRELUDE_NAME = "<par-act-prelude>"
_MAX_SAFE_INT = 2**53
_MAX_SAVED_BYTES = 1_000_000
# Kept here so a script that rebinds json.dumps/loads cannot garble its own result.
_dumps = json.dumps
_loads = json.loads

_REFUSED_MODULES = {
    "js": "the js module (JavaScript globals) is not available in act scripts",
    "pyodide_js": "the pyodide_js module is not available in act scripts",
    "pyodide": "the pyodide package (JavaScript bridge) is not available in act scripts",
    "_pyodide": "the _pyodide package (JavaScript bridge) is not available in act scripts",
    "_pyodide_core": "the _pyodide_core module (JavaScript bridge) is not available in act scripts",
    "micropip": "micropip is not available: act scripts cannot install packages (no network); only the standard library is available",
}


def _refusal(fullname):
    top = fullname.partition(".")[0]
    reason = _REFUSED_MODULES.get(top)
    if reason is None:
        return None
    err = ImportError(f"import of '{fullname}' refused: {reason}", name=fullname)
    return err


class _RefuseBridgeModules(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        err = _refusal(fullname)
        if err is not None:
            raise err
        return None


class _StandardLibraryOnly(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: nothing else found the module, so say why."""

    def find_spec(self, fullname, path=None, target=None):
        raise ModuleNotFoundError(
            f"No module named '{fullname}': only Python's standard library (as shipped with Pyodide) "
            "is available in act scripts, and packages cannot be installed (the sandbox has no network)",
            name=fullname,
        )


for _name in ("js", "pyodide_js"):
    sys.modules.pop(_name, None)
sys.meta_path.insert(0, _RefuseBridgeModules())
sys.meta_path.append(_StandardLibraryOnly())

_real_import = builtins.__import__


def _script_import(name, globals=None, locals=None, fromlist=(), level=0):
    # Bridge modules already sit in sys.modules (Pyodide uses them), where finders are never asked.
    if level == 0:
        err = _refusal(name)
        if err is not None:
            raise err
    return _real_import(name, globals, locals, fromlist, level)


_script_builtins = dict(builtins.__dict__)
_script_builtins["__import__"] = _script_import


class SaveError(TypeError):
    """A value given to save[...] that is not JSON."""


def _json_problem(value, where):
    """None when value is JSON; else a sentence naming where the first non-JSON part is."""
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INT:
            return f"{where} is an integer too large for a JSON number (beyond 2**53); store it as a string"
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{where} is {value!r}, which JSON cannot represent"
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            problem = _json_problem(item, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for k, item in value.items():
            if not isinstance(k, str):
                return f"{where} has a key {k!r} of type {type(k).__name__}; JSON object keys must be strings"
            problem = _json_problem(item, f"{where}[{k!r}]")
            if problem:
                return problem
        return None
    return (
        f"{where} is a {type(value).__name__}, which is not a JSON value "
        "(allowed: None, bool, int, float, str, list, dict with str keys)"
    )


def _to_json(value):
    return _loads(_dumps(value, allow_nan=False))


class _Save(dict):
    """save['name'] = value writes a flow variable; only JSON values are accepted."""

    def __setitem__(self, key, value):
        if not isinstance(key, str) or not key:
            raise SaveError(f"save[{key!r}]: variable names must be non-empty strings")
        problem = _json_problem(value, f"save[{key!r}]")
        if problem:
            raise SaveError(problem)
        super().__setitem__(key, value)

    def update(self, *args, **kwargs):
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]


class VaultError(Exception):
    """The worker could not answer a vault request."""


class WebError(Exception):
    """The worker could not complete a web request."""


class _HostChannel:
    def __init__(self, call_host):
        self._call_host = call_host

    def call(self, op, args, error_type):
        reply = _loads(self._call_host(_dumps({"t": "call", "op": op, "args": args})))
        if reply.get("ok"):
            return reply.get("value")
        error = reply.get("error") or {}
        message = str(error.get("message", "the worker refused the request"))
        if error.get("type") == "PermissionError":
            raise PermissionError(message)
        if error.get("type") == "ValueError":
            raise ValueError(message)
        raise error_type(message)


class _Vault:
    """The run's vault: search(query, n) and chat(message), answered by the worker."""

    def __init__(self, channel, name):
        self._channel = channel
        self.name = name

    def search(self, query, n=5):
        if not isinstance(query, str):
            raise TypeError("vault.search(query, n): query must be a string")
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("vault.search(query, n): n must be an int")
        return self._channel.call("vault.search", {"query": query, "n": n}, VaultError)

    def chat(self, message):
        if not isinstance(message, str):
            raise TypeError("vault.chat(message): message must be a string")
        return self._channel.call("vault.chat", {"message": message}, VaultError)

    def __repr__(self):
        return f"<vault {self.name!r}>" if self.name else "<vault: none for this node>"


class Response:
    def __init__(self, data):
        self.status = data["status"]
        self.url = data["url"]
        self.headers = dict(data["headers"])
        self.text = data["text"]

    @property
    def ok(self):
        return 200 <= self.status < 300

    def json(self):
        return _loads(self.text)

    def __repr__(self):
        return f"<Response {self.status} {self.url}>"


class _Web:
    """HTTP through the worker, to the hosts the node allows (the sandbox itself has no network)."""

    def __init__(self, channel, hosts):
        self._channel = channel
        self.allowed_hosts = tuple(hosts)

    def _request(self, method, url, headers, body):
        if not isinstance(url, str):
            raise TypeError("url must be a string")
        if headers is not None and not (
            isinstance(headers, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        ):
            raise TypeError("headers must be a dict of str to str")
        args = {"method": method, "url": url, "headers": headers or {}}
        if body is not None:
            args["body"] = body
        return Response(self._channel.call("web.fetch", args, WebError))

    def get(self, url, headers=None):
        return self._request("GET", url, headers, None)

    def post(self, url, data=None, json=None, headers=None):
        headers = dict(headers or {})
        if json is not None:
            body = _dumps(json)
            headers.setdefault("content-type", "application/json")
        elif data is None or isinstance(data, str):
            body = data
        else:
            raise TypeError("web.post(url, data=...): data must be a string; use json=... for JSON")
        return self._request("POST", url, headers, body)


_RESERVED = ("MESSAGE", "HISTORY", "VARIABLES", "save", "vault", "web")


def _format_error(exc):
    # The script's frames and the library frames it called; never this prelude's.
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename != _PRELUDE_NAME])
    lines = list(te.format())
    message = str(exc) if str(exc) else type(exc).__name__
    error = {"type": type(exc).__name__, "message": message, "traceback": "".join(lines)}
    if isinstance(exc, MemoryError):
        error["limit"] = "memory"
        error["message"] = "the script ran out of memory (the sandbox's memory limit)"
    return error


def _checked_saved(save):
    saved = {}
    for key, value in save.items():
        problem = _json_problem(value, f"save[{key!r}]")
        if problem:
            return saved, {"type": "SaveError", "message": problem + " (it was changed after it was saved)"}
        saved[key] = _to_json(value)
    size = len(_dumps(saved))
    if size > _MAX_SAVED_BYTES:
        biggest = max(saved, key=lambda k: len(_dumps(saved[k])))
        return {}, {
            "type": "SaveError",
            "message": f"saved variables are {size} bytes, over the {_MAX_SAVED_BYTES} byte limit (largest: save[{biggest!r}])",
        }
    return saved, None


def _par_act_run(job_json, call_host):
    job = _loads(job_json)
    channel = _HostChannel(call_host)
    save = _Save()
    variables = job["variables"]
    env = {"__name__": "__main__", "__builtins__": _script_builtins}
    for name, value in variables.items():
        if name.isidentifier() and not keyword.iskeyword(name):
            env[name] = value
    env.update(
        MESSAGE=job["message"],
        HISTORY=job["history"],
        VARIABLES=dict(variables),
        save=save,
        vault=_Vault(channel, job.get("vault")),
        web=_Web(channel, job.get("allowedHosts", [])),
    )
    source = job["code"]
    linecache.cache[_SCRIPT_NAME] = (len(source), None, source.splitlines(True), _SCRIPT_NAME)
    error = None
    try:
        code = compile(source, _SCRIPT_NAME, "exec")
    except SyntaxError as exc:
        error = {
            "type": "SyntaxError",
            "message": str(exc),
            "traceback": "".join(traceback.format_exception_only(type(exc), exc)),
        }
    else:
        try:
            exec(code, env)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                error = {"type": "SystemExit", "message": f"the script exited with status {exc.code!r}"}
        except BaseException as exc:  # noqa: BLE001 - every script failure goes to the error output
            error = _format_error(exc)
    saved, save_error = _checked_saved(save)
    error = error or save_error
    result = {"t": "result", "ok": error is None, "saved": saved}
    if error:
        result["error"] = error
    return _dumps(result, allow_nan=False)
