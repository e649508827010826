/**
 * The budget steps of lib/client/rate-budget.ts (reserveIn, recordIn, statusOf), in Lua so each
 * runs atomically in Redis: no process reads a budget another is about to change. Keep the two in
 * step; test/redis/rate-limit-stores.e2e-spec.ts runs the same cases against both stores.
 *
 * KEYS[1]: the budget hash (fields as RateBudget: b blocked, q seq, l limit, d used, r reset,
 * p pad, g guessed, pr probe, u unmetered); KEYS[2]: the window's log (sorted set: ticket → time);
 * KEYS[3]: the calls in flight (sorted set: ticket → epoch ms after which one is given up on).
 * ARGV[1] policy kind ('reported' | 'window' | 'none'), ARGV[2] now (epoch ms), ARGV[3] the
 * window's limit or the assumed window length, ARGV[4] the window length. Absent numbers are -1.
 */
const PRELUDE = `
local h, log, fly = KEYS[1], KEYS[2], KEYS[3]
local kind, now, a, w = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', h, 'b', 'q', 'l', 'd', 'r', 'p', 'g', 'pr', 'u')
local b, q, l, d, r = tonumber(v[1] or '0'), tonumber(v[2] or '0'), tonumber(v[3] or '0'), tonumber(v[4] or '0'), tonumber(v[5] or '0')
local p, g, pr, u = tonumber(v[6] or '0'), tonumber(v[7] or '0'), tonumber(v[8] or '0'), tonumber(v[9] or '0')
local function status()
  if kind == 'window' then
    local n = redis.call('ZCARD', log)
    if n == 0 then return {a, a, -1} end
    local oldest = tonumber(redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')[2])
    return {a, math.max(0, a - n), oldest + w}
  end
  if kind ~= 'reported' or l == 0 then return {-1, -1, -1} end
  local left = math.max(0, l - d - redis.call('ZCARD', fly))
  if g == 1 then return {l, left, -1} end
  return {l, left, r}
end
local function save()
  redis.call('HSET', h, 'b', b, 'q', q, 'l', l, 'd', d, 'r', r, 'p', p, 'g', g, 'pr', pr, 'u', u)
  redis.call('PEXPIRE', h, 86400000)
end
`;

/**
 * ARGV[5] how long a first call holds the others back, ARGV[6] how long a granted call counts as in
 * flight at most. Returns {granted, ticket or wait, firm (1), assumed (0), awaiting the first answer
 * (2) or awaiting answers in flight (3), limit, remaining, resetAt}.
 */
export const RESERVE = `${PRELUDE}
local lease, flight = tonumber(ARGV[5]), tonumber(ARGV[6])
local function deny(ms, firm)
  local s = status()
  return {0, ms, firm, s[1], s[2], s[3]}
end
if b > now then return deny(b - now, 1) end
local tracked = (kind == 'reported' and u == 0)
if kind == 'window' then
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - w)
  local n = redis.call('ZCARD', log)
  if n >= a then
    local oldest = tonumber(redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')[2])
    return deny(oldest + w - now, 1)
  end
  redis.call('ZADD', log, now, q + 1)
  redis.call('PEXPIRE', log, w + 1000)
elseif tracked then
  redis.call('ZREMRANGEBYSCORE', fly, '-inf', now)
  if l == 0 then
    if pr > now then return {0, pr - now, 2, -1, -1, -1} end
    pr = now + lease
  else
    if now >= r + p then d = 0; r = now + a; p = 0; g = 1 end
    local n = redis.call('ZCARD', fly)
    if l - d - n <= 0 then
      if n > 0 and d < l then return deny(r + p - now, 3) end
      if g == 1 then return deny(r + p - now, 0) end
      return deny(r + p - now, 1)
    end
  end
end
q = q + 1
if tracked then
  redis.call('ZADD', fly, now + flight, q)
  redis.call('PEXPIRE', fly, flight + 1000)
end
save()
local s = status()
return {1, q, 1, s[1], s[2], s[3]}`;

/**
 * ARGV[5] ticket, ARGV[6] answered (1/0), ARGV[7] limit, ARGV[8] remaining, ARGV[9] resetAt,
 * ARGV[10] its padding, ARGV[11] blockedUntil, ARGV[12] how close two window ends may be and
 * still be one window. Returns {limit, remaining, resetAt}.
 */
export const RECORD = `${PRELUDE}
local ticket, answered = tonumber(ARGV[5]), tonumber(ARGV[6])
local rl, rrem, ra, pad, bu, same = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
if bu > b then b = bu end
if kind ~= 'reported' then
  redis.call('HSET', h, 'b', b)
  redis.call('PEXPIRE', h, 86400000)
  return status()
end
redis.call('ZREM', fly, ticket)
if rl < 0 then
  if l == 0 and pr > 0 then
    pr = 0
    if answered == 1 then u = 1 end
  end
  save()
  return status()
end
u = 0
pr = 0
local first = (l == 0)
l = rl
local spent = math.max(0, rl - rrem)
if ra >= 0 and ra + pad <= now then
  save()
  return status()
end
if first then
  d = spent
  if ra >= 0 then r = ra; p = pad; g = 0 else r = now + a; p = 0; g = 1 end
elseif ra < 0 then
  d = math.max(d, spent)
elseif g == 1 or ra > r + same then
  if g == 1 then d = math.max(d, spent) else d = spent end
  r = ra; p = pad; g = 0
elseif ra >= r - same then
  d = math.max(d, spent)
  p = math.max(p, pad)
end
save()
return status()`;
