// Check that a webhook comes from the cloud proxy service (Standard Webhooks), with
// Node's own crypto. `body` is the request body exactly as received, as a string (with
// Express: express.raw({ type: "application/json" }), then req.body.toString("utf8")).
const crypto = require("node:crypto");

function verifyProxyWebhook(secret, body, headers, toleranceSeconds = 300) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = (headers["webhook-signature"] || "").split(" ");
  if (!id || !timestamp) throw new Error("Missing webhook headers");
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) {
    throw new Error("Webhook timestamp too old or too new");
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = crypto.createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  const matches = signatures.some((entry) => {
    const [version, signature] = entry.split(",");
    const given = Buffer.from(signature || "", "base64");
    return version === "v1" && given.length === expected.length &&
      crypto.timingSafeEqual(given, expected);
  });
  if (!matches) throw new Error("No matching webhook signature");
  return JSON.parse(body);
}

module.exports = { verifyProxyWebhook };
