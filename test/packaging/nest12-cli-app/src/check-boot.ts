// Boots the app as `node dist/main` would, asks its routes, prints what they answered, and stops.
import { TokenService } from 'nest-provider-auth';
import { bootstrap } from './main.js';

async function check() {
  const { app, emulator } = await bootstrap(0);
  const url = await app.getUrl();
  const { access_token } = await app.get(TokenService).issue({ sub: 'u1', role: 'member' });
  const none = await fetch(`${url}/campaigns`);
  const member = await fetch(`${url}/campaigns`, { headers: { authorization: `Bearer ${access_token}` } });
  const body = (await member.json()) as { data: unknown[] };
  console.log(JSON.stringify({ none: none.status, member: member.status, campaigns: body.data.length }));
  await app.close();
  await emulator.close();
}

void check();
