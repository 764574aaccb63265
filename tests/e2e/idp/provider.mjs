// A real OpenID Connect provider on localhost for the sign-in browser tests: panva's certified
// `oidc-provider`, with one confidential client (the dashboard) and the accounts of users.json,
// a login page that checks their passwords, and group claims in the ID token (as Keycloak's
// group mapper or Entra ID's group claim put them there). Nothing here is fetched from outside.
//
//   PORT=9400 APP_ORIGINS=http://localhost:8501 CLIENT_SECRET=... node provider.mjs
//
// Settings (environment): PORT (required), ISSUER (default http://localhost:PORT), CLIENT_ID
// (default second-chance), CLIENT_SECRET (required), APP_ORIGINS (comma-separated origins of the
// dashboards allowed to sign in: each gets ORIGIN/oauth2callback as redirect and post-logout URI),
// ID_TOKEN_SECONDS (default 300). It prints "listening on PORT" when it is ready.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const env = process.env;
const PORT = Number(env.PORT);
if (!PORT || !env.CLIENT_SECRET || !env.APP_ORIGINS) {
  console.error('PORT, CLIENT_SECRET and APP_ORIGINS are required');
  process.exit(2);
}
const ISSUER = env.ISSUER || `http://localhost:${PORT}`;
const CLIENT_ID = env.CLIENT_ID || 'second-chance';
const callbacks = env.APP_ORIGINS.split(',').map((origin) => `${origin.trim().replace(/\/$/, '')}/oauth2callback`);

const users = JSON.parse(readFileSync(new URL('./users.json', import.meta.url), 'utf8'));
delete users._comment;
const bySub = new Map(Object.values(users).map((user) => [user.sub, user]));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    client_name: 'Second Chance (test)',
    redirect_uris: callbacks,
    post_logout_redirect_uris: callbacks,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // The claims the dashboard reads come in the ID token (Streamlit keeps the ID token's claims in
  // its identity cookie and never calls the userinfo endpoint).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  async findAccount(_ctx, sub) {
    const user = bySub.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub, name: user.name, email: user.email, email_verified: user.email_verified, groups: user.groups,
        };
      },
    };
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `<p>Sign out of the identity provider?</p>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Sign-in error', `<pre>${escape(JSON.stringify(out, null, 2))}</pre>`);
  },
  ttl: {
    IdToken: Number(env.ID_TOKEN_SECONDS || 300),
    AccessToken: 300,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
};

const provider = new Provider(ISSUER, configuration);

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

function loginForm(uid, error = '') {
  return page('Sign in to the programme', `${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Username</label><input id="username" name="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`);
}

// The login page. After a correct password, consent for this first-party client is given at once
// (a grant of the scopes asked for), as an organisation's provider does for its own applications.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  ctx.set('cache-control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  if (ctx.method !== 'POST' || !match[2]) return next();
  const { username = '', password = '' } = await formBody(ctx.req);
  const user = users[username];
  if (!user || user.password !== password) {
    ctx.type = 'html';
    ctx.status = 401;
    ctx.body = loginForm(details.uid, 'Wrong username or password.');
    return undefined;
  }
  const grant = new provider.Grant({ accountId: user.sub, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope || 'openid'));
  const grantId = await grant.save();
  return provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId: user.sub }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
});

provider.listen(PORT, '127.0.0.1', () => {
  console.log(`listening on ${PORT} as ${ISSUER}`);
});
