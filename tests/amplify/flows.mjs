// Amplify JS v6 against the served fake, two more of its flows: TOTP set-up during
// sign-in (MFA required, TOTP the only factor), and passwordless sign-in with an email
// code (USER_AUTH). Prints one JSON line; tests/test_amplify_js.py checks it.
import { createHmac } from "node:crypto";

const { Amplify } = await import("aws-amplify");
const { confirmSignIn, signIn, signOut } = await import("aws-amplify/auth");

const { ENDPOINT, TOTP_POOL, TOTP_CLIENT, EMAIL_POOL, EMAIL_CLIENT, PASSWORD } = process.env;

function configure(pool, client) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: pool, userPoolClientId: client, userPoolEndpoint: ENDPOINT } },
  });
}

// RFC 6238, as an authenticator app computes it (SHA-1, 6 digits, 30 s).
function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, "0");
}

async function lastCode(username, purpose) {
  const query = new URLSearchParams({ username, purpose });
  const { Messages } = await (await fetch(`${ENDPOINT}/_fake/outbox?${query}`)).json();
  return Messages[Messages.length - 1].Code;
}

const out = {};

configure(TOTP_POOL, TOTP_CLIENT);
const setup = await signIn({ username: "tia", password: PASSWORD });
out.totpStep = setup.nextStep.signInStep;
const secret = setup.nextStep.totpSetupDetails.sharedSecret;
const afterSetup = await confirmSignIn({ challengeResponse: totp(secret) });
out.totpDone = afterSetup.nextStep.signInStep;
await signOut();

configure(EMAIL_POOL, EMAIL_CLIENT);
const passwordless = await signIn({
  username: "eli",
  options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" },
});
out.emailStep = passwordless.nextStep.signInStep;
const emailed = await confirmSignIn({ challengeResponse: await lastCode("eli", "SIGN_IN") });
out.emailDone = emailed.nextStep.signInStep;
console.log(JSON.stringify(out));
