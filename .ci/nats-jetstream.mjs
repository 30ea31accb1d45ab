// Exit 0 when a NATS server at HOST PORT answers a JetStream account-info request (JetStream on),
// 1 otherwise. Speaks the NATS text protocol over a socket: no npm package needed before `npm ci`.
import { connect } from "node:net";

const [host = "127.0.0.1", port = "4222"] = process.argv.slice(2);
const socket = connect(Number(port), host);
const done = (ok) => {
  socket.destroy();
  process.exit(ok ? 0 : 1);
};
setTimeout(() => done(false), 3000).unref();
let text = "";
socket.on("error", () => done(false));
socket.on("data", (chunk) => {
  text += chunk.toString("utf8");
  if (text.startsWith("INFO ") && !text.includes("SUB_SENT")) {
    socket.write(
      'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.ci 1\r\nPUB $JS.API.INFO _INBOX.ci 0\r\n\r\nPING\r\n',
    );
    text += "SUB_SENT";
  }
  if (text.includes("account_info_response")) done(!/"error"\s*:/.test(text));
  if (text.includes("-ERR")) done(false);
});
