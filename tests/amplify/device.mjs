// Amplify JS v6 against the served fake: sign in with an SMS code, remember the device,
// sign out, sign in again (the remembered device stands in for MFA). Prints one JSON line.
// Amplify names a new device from navigator.userAgent, which Node 20 lacks (Node 21 and
// browsers have it): without it Amplify skips ConfirmDevice and remembers nothing.
globalThis.navigator ??= { userAgent: "Node.js (cognitoflow test)" };

const { Amplify } = await import("aws-amplify");
const { confirmSignIn, fetchDevices, rememberDevice, signIn, signOut } = await import(
  "aws-amplify/auth"
);

const { ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD } = process.env;

Amplify.configure({
  Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: ENDPOINT } },
});

async function lastCode() {
  const query = new URLSearchParams({ username: USERNAME, purpose: "MFA" });
  const reply = await fetch(`${ENDPOINT}/_fake/outbox?${query}`);
  const { Messages } = await reply.json();
  return Messages[Messages.length - 1].Code;
}

const out = {};
const first = await signIn({ username: USERNAME, password: PASSWORD });
out.firstStep = first.nextStep.signInStep;
const confirmed = await confirmSignIn({ challengeResponse: await lastCode() });
out.confirmedStep = confirmed.nextStep.signInStep;
await rememberDevice();
out.devices = (await fetchDevices()).length;
await signOut();
const again = await signIn({ username: USERNAME, password: PASSWORD });
out.secondStep = again.nextStep.signInStep;
console.log(JSON.stringify(out));
