// Reads a JSON list of {"where": str, "tex": str, "display": bool} on stdin and
// prints a JSON list of the ones KaTeX cannot render. Used by the bank's tests.
const katex = require("katex");
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const failures = [];
  for (const item of JSON.parse(input)) {
    try {
      katex.renderToString(item.tex, { displayMode: item.display, throwOnError: true, strict: "error" });
    } catch (err) {
      failures.push({ where: item.where, tex: item.tex, error: String(err.message || err) });
    }
  }
  process.stdout.write(JSON.stringify(failures));
});
