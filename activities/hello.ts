/** The activity behind the built-in `hello` flow: proves a worker picked the task up. */
export async function composeGreeting(name: string): Promise<string> {
  return `Hello, ${name}!`;
}
