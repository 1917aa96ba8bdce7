-- Applies one event of one contract atomically and idempotently (prepended by bigint.lua).
--
-- KEYS: 1 epoch marker, 2 meta, 3 applied, 4 appliedIndex, 5 removed, 6 journal, 7 counts, 8 token,
--       9 balances, 10 owners, 11 multiBalances, 12 tokens-of(from), 13 tokens-of(to)
-- ARGV: 1 epoch, 2 event id, 3 status, 4 blockNumber, 5 logIndex, 6 event JSON, 7 counts field,
--       8 journal max entries, 9 reorg window (blocks), 10 projection kind, 11 payload length n,
--       12..11+n payload, 12+n channel count m, then m channel names
-- Returns { 'A', cursor } when applied, { 'D', '' } for a duplicate, { 'U', '' } for a REMOVED whose
-- event is not in the reorg window (nothing to reverse), or an error starting with BWEPOCH when the
-- epoch marker is missing or differs (Redis lost its state or a rebuild started).
local ZERO = '0x0000000000000000000000000000000000000000'

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('BWEPOCH epoch marker missing or changed')
end

local id, status = ARGV[2], ARGV[3]
local bn, li = tonumber(ARGV[4]), tonumber(ARGV[5])
local np = tonumber(ARGV[11])
local payload = {}
for i = 1, np do payload[i] = ARGV[11 + i] end
local nc = tonumber(ARGV[12 + np])

local function parse_pos(s)
  local a, b = string.match(s, '^(%d+)-(%d+)$')
  return tonumber(a), tonumber(b)
end

local meta = redis.call('HMGET', KEYS[2], 'hwm', 'lastId', 'trimmed', 'count')
-- Meta fields written once at the end (one HSET instead of several).
local metaUpdate = {}
local hb, hl
if meta[1] then hb, hl = parse_pos(meta[1]) end
local trimmed = tonumber(meta[3] or '-1')

local function add_balance(holder, delta)
  local before = redis.call('HGET', KEYS[9], holder) or '0'
  local after = big_add(before, delta)
  if after == '0' then redis.call('HDEL', KEYS[9], holder) else redis.call('HSET', KEYS[9], holder, after) end
  local sb, sa = big_sign(before), big_sign(after)
  if sb <= 0 and sa > 0 then
    redis.call('HINCRBY', KEYS[8], 'holders', 1)
  elseif sb > 0 and sa <= 0 then
    redis.call('HINCRBY', KEYS[8], 'holders', -1)
  end
end

local function add_supply(delta)
  local supply = redis.call('HGET', KEYS[8], 'totalSupply') or '0'
  redis.call('HSET', KEYS[8], 'totalSupply', big_add(supply, delta))
end

-- dir = 1 applies the transfer, dir = -1 reverses it (a transfer from `to` back to `from`).
local function project(kind, p, dir)
  if kind == 'none' then return end
  local from, to = p[1], p[2]
  local fromTokens, toTokens = KEYS[12], KEYS[13]
  if dir < 0 then from, to, fromTokens, toTokens = to, from, toTokens, fromTokens end
  if kind == 'erc20' then
    local value = p[3]
    if from == ZERO then add_supply(value) else add_balance(from, '-' .. value) end
    if to == ZERO then add_supply('-' .. value) else add_balance(to, value) end
  elseif kind == 'erc721' then
    local tokenId = p[3]
    if from == ZERO then
      add_supply('1')
    else
      add_balance(from, '-1')
      redis.call('ZREM', fromTokens, tokenId)
    end
    if to == ZERO then
      add_supply('-1')
      redis.call('HDEL', KEYS[10], tokenId)
    else
      add_balance(to, '1')
      redis.call('ZADD', toTokens, 0, tokenId)
      redis.call('HSET', KEYS[10], tokenId, to)
    end
  elseif kind == 'erc1155' then
    for i = 3, #p, 2 do
      local tokenId, value = p[i], p[i + 1]
      if from ~= ZERO then
        local field = tokenId .. ':' .. from
        local after = big_sub(redis.call('HGET', KEYS[11], field) or '0', value)
        if after == '0' then redis.call('HDEL', KEYS[11], field) else redis.call('HSET', KEYS[11], field, after) end
      end
      if to ~= ZERO then
        local field = tokenId .. ':' .. to
        local after = big_add(redis.call('HGET', KEYS[11], field) or '0', value)
        if after == '0' then redis.call('HDEL', KEYS[11], field) else redis.call('HSET', KEYS[11], field, after) end
      end
    end
  end
  redis.call('HINCRBY', KEYS[8], 'transfers', dir)
end

local countField
if status == 'REMOVED' then
  local stored = redis.call('HGET', KEYS[3], id)
  if not stored then
    if redis.call('SISMEMBER', KEYS[5], id) == 1 then return { 'D', '' } end
    return { 'U', '' }
  end
  local effect = cjson.decode(stored)
  project(effect[1], effect[3], -1)
  countField = effect[2]
  if redis.call('HINCRBY', KEYS[7], countField, -1) == 0 then redis.call('HDEL', KEYS[7], countField) end
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  redis.call('SADD', KEYS[5], id)
  -- Roll the mark back to the end of the previous block: the whole block was orphaned, and its
  -- canonical replacement may have events at any log index.
  if hb and bn <= hb then
    if bn > 0 then
      metaUpdate[#metaUpdate + 1] = 'hwm'
      metaUpdate[#metaUpdate + 1] = string.format('%d-%d', bn - 1, 999999999)
    else
      redis.call('HDEL', KEYS[2], 'hwm')
    end
  end
else
  -- Dedup by id, not by position: after a deep reorg the canonical replacements sit at positions at
  -- or below the mark (the fork point is not known per contract). Every applied id at or above the
  -- trim boundary is in `applied`; below it only redeliveries of long-applied events can arrive.
  if bn <= trimmed then return { 'D', '' } end
  if redis.call('HEXISTS', KEYS[3], id) == 1 then return { 'D', '' } end
  if redis.call('SISMEMBER', KEYS[5], id) == 1 then return { 'D', '' } end
  local kind = ARGV[10]
  project(kind, payload, 1)
  countField = ARGV[7]
  redis.call('HINCRBY', KEYS[7], countField, 1)
  redis.call('HSET', KEYS[3], id, cjson.encode({ kind, countField, payload }))
  redis.call('ZADD', KEYS[4], bn, id)
  local boundary = bn - tonumber(ARGV[9])
  if boundary - 1 > trimmed then
    metaUpdate[#metaUpdate + 1] = 'trimmed'
    metaUpdate[#metaUpdate + 1] = string.format('%d', boundary - 1)
    local old = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. string.format('%d', boundary), 'LIMIT', 0, 64)
    if #old > 0 then
      redis.call('HDEL', KEYS[3], unpack(old))
      redis.call('ZREM', KEYS[4], unpack(old))
    end
  end
  if not hb or bn > hb or (bn == hb and li > hl) then
    metaUpdate[#metaUpdate + 1] = 'hwm'
    metaUpdate[#metaUpdate + 1] = ARGV[4] .. '-' .. ARGV[5]
  end
end

-- Journal entry id: the chain position, unless a deep reorg already moved the journal past it.
local cursor = ARGV[4] .. '-' .. ARGV[5]
if meta[2] then
  local lb, ll = parse_pos(meta[2])
  if not (bn > lb or (bn == lb and li > ll)) then cursor = string.format('%d-%d', lb, ll + 1) end
elseif cursor == '0-0' then
  cursor = '0-1'
end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[8], cursor, 'e', ARGV[6])
metaUpdate[#metaUpdate + 1] = 'lastId'
metaUpdate[#metaUpdate + 1] = cursor
metaUpdate[#metaUpdate + 1] = 'count'
metaUpdate[#metaUpdate + 1] = string.format('%d', tonumber(meta[4] or '0') + 1)
redis.call('HSET', KEYS[2], unpack(metaUpdate))

local message = '{"kind":"event","event":' .. ARGV[6] .. ',"cursor":"' .. cursor .. '"}'
for i = 1, nc do redis.call('PUBLISH', ARGV[12 + np + i], message) end
return { 'A', cursor }
