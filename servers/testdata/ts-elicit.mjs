// The official TypeScript SDK's client against a stdio server: plan, then
// apply that plan, answering the server's elicitation with argv's answer
// (accept, decline, cancel), or declaring no elicitation at all (none).
// Prints what happened as one JSON line.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [bin, cfg, ws, answer] = process.argv.slice(2);
const shown = [];
const client = new Client({ name: "ts-elicit", version: "1" },
  { capabilities: answer === "none" ? {} : { elicitation: { form: {} } } });
if (answer !== "none") {
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    shown.push(req.params.message);
    return answer === "accept" ? { action: "accept", content: { apply: true } } : { action: answer };
  });
}
await client.connect(new StdioClientTransport({ command: bin, args: ["--config", cfg], stderr: "ignore" }));
const plan = await client.callTool({ name: "apply_terraform", arguments: { workspace: ws } });
const id = plan.structuredContent.plan_id;
const res = await client.callTool({ name: "apply_terraform", arguments: { workspace: ws, plan_id: id, auto_approve: true } });
console.log(JSON.stringify({
  plan_id: id, is_error: !!res.isError, applied: res.structuredContent?.applied === true,
  text: (res.content ?? []).map((c) => c.text ?? "").join(""), shown,
}));
await client.close();
