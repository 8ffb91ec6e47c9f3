// Amplify JS v6 against the served fake: sign in (SRP), refresh, sign out.
// Prints one JSON line; tests/test_amplify_js.py checks it and the fake's state.
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

const { ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD } = process.env;

Amplify.configure({
  Auth: { Cognito: { userPoolId: POOL_ID, userPoolClientId: CLIENT_ID, userPoolEndpoint: ENDPOINT } },
});

// Amplify keeps its tokens in a key-value storage; this one (set after configure, which
// sets the default) lets the test read the refresh token sign-out should have revoked.
const store = new Map();
cognitoUserPoolsTokenProvider.setKeyValueStorage({
  setItem: async (key, value) => void store.set(key, value),
  getItem: async (key) => store.get(key) ?? null,
  removeItem: async (key) => void store.delete(key),
  clear: async () => store.clear(),
});
const refreshToken = () =>
  [...store].find(([key]) => key.endsWith(".refreshToken"))?.[1] ?? null;

const out = {};
const signedIn = await signIn({ username: USERNAME, password: PASSWORD });
out.signInStep = signedIn.nextStep.signInStep;
const first = await fetchAuthSession();
out.firstSub = first.userSub;
const refreshed = await fetchAuthSession({ forceRefresh: true });
out.refreshedAccessTokenDiffers =
  refreshed.tokens.accessToken.toString() !== first.tokens.accessToken.toString();
out.refreshedUsername = refreshed.tokens.accessToken.payload.username;
out.refreshToken = refreshToken();
await signOut();
out.signedOutSession = (await fetchAuthSession()).tokens ?? null;
console.log(JSON.stringify(out));
