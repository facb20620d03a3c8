import { python } from '@codemirror/lang-python';
import CodeMirror from '@uiw/react-codemirror';
import { useMemo } from 'react';

/** CodeMirror with Python highlighting; its own chunk (see CodeInput in fields.tsx). */
export default function PythonEditor(props: { value: string; height: string; onChange: (v: string) => void }) {
  const ext = useMemo(() => [python()], []);
  return <CodeMirror value={props.value} height={props.height} extensions={ext} onChange={props.onChange} basicSetup={{ foldGutter: false }} />;
}
