-- Applies a run of events of ONE contract, in order, idempotently (prepended by the read model
-- prelude `RM`, generated from src/domain/readModel.ts, `PUBLISH`, the publish command, and
-- bigint.lua). The run
-- executes atomically (a Lua script). It reads the state it needs in a few HMGETs, works on it in Lua
-- tables, and writes it back once at the end; per event it only appends to the journal, publishes,
-- and updates the ERC-721 tokens-of sets. One call per run instead of one per event, with a handful
-- of Redis calls instead of a dozen per event, is what makes the processor fast.
--
-- KEYS: 1 epoch marker, 2 meta, 3 applied, 4 appliedIndex, 5 removed, 6 journal, 7 counts, 8 token,
--       9 balances, 10 owners, 11 multiBalances, 12.. tokens-of sets of the ERC-721 holders involved
-- ARGV: 1 epoch, 2 journal max entries, 3 reorg window (blocks), 4 contract channel, 5 what the
--       contract's account channels start with (an account's channel is it followed by the account),
--       6 event count,
--       then three entries per event: its record, its JSON and its effect JSON (what REMOVED
--       reverses). The record is a JSON array: id, status, blockNumber, logIndex (decimal strings),
--       counts field, projection kind, KEYS index of the tokens-of set of `from` and of `to` (0 when
--       none), the payload values, the accounts (lower case) and the entity changes (see
--       prepareApply.ts: projection p, key k, KEYS indexes of the entity hash h, the projection's index
--       x and journal j, channel c, key fields f, set s and add a as flat field/value lists, delete d).
--       After the events, optionally one W3C traceparent per event of the run ('' for none): the
--       processor's span of the event, put in its event channel message for the gateway's span
-- KEYS beyond the tokens-of sets: the entity hashes, projection indexes and journals of the changes.
-- Returns two entries per event: a code and a detail. 'A' applied (detail: journal cursor), 'D'
-- duplicate, 'U' a REMOVED whose event is not in the reorg window (nothing to reverse), 'E' the event
-- failed with a data error, WRONGTYPE on its tokens-of set or journal (detail: the error; the others
-- still apply). Returns an error starting with BWEPOCH when the epoch marker is missing or differs
-- (Redis lost its state or a rebuild started). Any other error (a bug in this script, OOM, READONLY)
-- is raised as BWRETRY after the state of the events already applied is saved, so a retry of the
-- whole run skips them as duplicates.
--
-- An event applies completely or leaves no trace: its changes to the cached state are logged and
-- undone when it fails, and its Redis writes (tokens-of sets, journal, publish) run last, after the
-- types of the keys they write are checked.
local ZERO = RM.zeroAddress
local META, TOKEN, SEP = RM.meta, RM.token, RM.multiBalanceSeparator

if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('BWEPOCH epoch marker missing or changed')
end

local journalMax, reorgWindow, contractChannel, accountChannelPrefix = ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local count = tonumber(ARGV[6])

-- Each event's decoded record (R_* name its fields), the ARGV index of its JSON (its effect JSON
-- follows), and its traceparent when given.
local R_ID, R_STATUS, R_BLOCK, R_LOG, R_COUNT, R_KIND, R_FROM_TOKENS, R_TO_TOKENS, R_PAYLOAD, R_ACCOUNTS, R_OPS =
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
local records, jsonAt, traces = {}, {}, {}
do
  for k = 1, count do
    local at = 7 + 3 * (k - 1)
    records[k] = cjson.decode(ARGV[at])
    jsonAt[k] = at + 1
  end
  local after = 7 + 3 * count
  if ARGV[after] then
    for k = 1, count do traces[k] = ARGV[after + k - 1] end
  end
end

local function parse_pos(s)
  local a, b = string.match(s, '^(%d+)-(%d+)$')
  return tonumber(a), tonumber(b)
end

-- Meta: high-water mark, last journal id, trim boundary of `applied`, events applied.
local meta = redis.call('HMGET', KEYS[2], META.highWaterMark, META.lastJournalId, META.trimmed, META.appliedCount)
local hb, hl, lb, ll
if meta[1] then hb, hl = parse_pos(meta[1]) end
if meta[2] then lb, ll = parse_pos(meta[2]) end
local trimmed = tonumber(meta[3] or '-1')
local appliedCount = tonumber(meta[4] or '0')
local trimmedBefore = trimmed

-- Undo log of the event being applied: the table, key and previous value of every table entry it
-- changed, flat and in the order of the changes, so a failed event can be rolled back before save()
-- writes the run's state. An entry changed twice is logged twice: undoing newest first leaves it
-- with its value from before the event. (No table per entry: a transfer changes about eight.)
local undo, undoN = {}, 0
local function put(tbl, key, value)
  undo[undoN + 1] = tbl
  undo[undoN + 2] = key
  undo[undoN + 3] = tbl[key]
  undoN = undoN + 3
  tbl[key] = value
end
local function rollback()
  for i = undoN - 2, 1, -3 do
    undo[i][undo[i + 1]] = undo[i + 2]
  end
  undoN = 0
end

-- Read-through caches of hash fields, written back by save().
local function cache(key)
  return { key = key, values = {}, dirty = {} }
end
local balances, multi = cache(KEYS[9]), cache(KEYS[11])

local function prefetch(c, fields)
  local list = {}
  for field in pairs(fields) do list[#list + 1] = field end
  for i = 1, #list, 1000 do
    local slice = { unpack(list, i, math.min(i + 999, #list)) }
    local values = redis.call('HMGET', c.key, unpack(slice))
    for j = 1, #slice do c.values[slice[j]] = values[j] or '0' end
  end
end

local function get(c, field)
  local value = c.values[field]
  if value == nil then
    value = redis.call('HGET', c.key, field) or '0'
    put(c.values, field, value)
  end
  return value
end

local function set(c, field, value)
  put(c.values, field, value)
  put(c.dirty, field, true)
end

-- Ids of the run: whether each was applied (its stored effect) or removed before the run.
local ids = {}
for k = 1, count do ids[k] = records[k][R_ID] end
local storedEffects = redis.call('HMGET', KEYS[3], unpack(ids))
local removedBefore = redis.call('SMISMEMBER', KEYS[5], unpack(ids))
local appliedState, removedState = {}, {}
for k = 1, count do
  if appliedState[ids[k]] == nil then appliedState[ids[k]] = storedEffects[k] end
  if removedState[ids[k]] == nil then removedState[ids[k]] = removedBefore[k] == 1 end
end
-- Changes of `applied`/`removed` during the run: id → effect JSON (added) or false (deleted).
local appliedChanges, appliedScores, removedAdds = {}, {}, {}

do
  local balanceFields, multiFields = {}, {}
  for k = 1, count do
    local record = records[k]
    local kind, p = record[R_KIND], record[R_PAYLOAD]
    local np, from, to = #p, p[1], p[2]
    if kind == 'erc20' or kind == 'erc721' then
      if from ~= ZERO then balanceFields[from] = true end
      if to ~= ZERO then balanceFields[to] = true end
    elseif kind == 'erc1155' then
      for i = 3, np, 2 do
        local tokenId = p[i]
        if from ~= ZERO then multiFields[tokenId .. SEP .. from] = true end
        if to ~= ZERO then multiFields[tokenId .. SEP .. to] = true end
      end
    end
  end
  if next(balanceFields) then prefetch(balances, balanceFields) end
  if next(multiFields) then prefetch(multi, multiFields) end
end

-- Entities of the projections: hash key → field table (false: absent), read once per run and written
-- back by save(). `loaded` keeps each entity as it was before the run.
local ENTITY = RM.entity
local entities, entityLoaded, entityDirty = {}, {}, {}

local function load_entity(hkey)
  local current = entities[hkey]
  if current ~= nil then return current end
  local flat = redis.call('HGETALL', hkey)
  local fields = false
  if #flat > 0 then
    fields = {}
    for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  end
  if entityLoaded[hkey] == nil then entityLoaded[hkey] = fields end
  entities[hkey] = fields
  return fields
end

local function flatten(fields)
  if not fields then return false end
  local flat = {}
  for field, value in pairs(fields) do
    flat[#flat + 1] = field
    flat[#flat + 1] = value
  end
  return flat
end

local function unflatten(flat)
  if not flat then return false end
  local fields = {}
  for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  return fields
end

local token = redis.call('HMGET', KEYS[8], TOKEN.totalSupply)
local supply, supplyChanged = token[1] or '0', false
local holdersDelta, transfersDelta = 0, 0
local countDeltas = {}
-- ERC-721 tokenId → owner (false: burned) as of the end of the run.
local ownerChanges = {}
-- Redis writes of the event being applied to its tokens-of sets, run once the event is computed.
local tokenWrites = {}
-- Entity changes of the event being applied: { op, entity after (false: absent) }, written last.
local entityChanges = {}

local balanceValues, balanceDirty = balances.values, balances.dirty
local function add_balance(holder, delta)
  -- get() and set() inlined: a transfer changes two balances.
  local before = balanceValues[holder]
  if before == nil then before = redis.call('HGET', balances.key, holder) or '0' end
  local after = big_add(before, delta)
  put(balanceValues, holder, after)
  if not balanceDirty[holder] then put(balanceDirty, holder, true) end
  local sb, sa = big_sign(before), big_sign(after)
  if sb <= 0 and sa > 0 then
    holdersDelta = holdersDelta + 1
  elseif sb > 0 and sa <= 0 then
    holdersDelta = holdersDelta - 1
  end
end

local function add_supply(delta)
  supply = big_add(supply, delta)
  supplyChanged = true
end

-- dir = 1 applies the transfer, dir = -1 reverses it (a transfer from `to` back to `from`).
local function project(kind, p, dir, fromTokens, toTokens)
  if kind == 'none' then return end
  local from, to = p[1], p[2]
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
      tokenWrites[#tokenWrites + 1] = { 'ZREM', fromTokens, tokenId }
    end
    if to == ZERO then
      add_supply('-1')
      put(ownerChanges, tokenId, false)
    else
      add_balance(to, '1')
      tokenWrites[#tokenWrites + 1] = { 'ZADD', toTokens, 0, tokenId }
      put(ownerChanges, tokenId, to)
    end
  elseif kind == 'erc1155' then
    for i = 3, #p, 2 do
      local tokenId, value = p[i], p[i + 1]
      if from ~= ZERO then
        local field = tokenId .. SEP .. from
        set(multi, field, big_sub(get(multi, field), value))
      end
      if to ~= ZERO then
        local field = tokenId .. SEP .. to
        set(multi, field, big_add(get(multi, field), value))
      end
    end
  end
  transfersDelta = transfersDelta + dir
end

local function count_event(field, delta)
  put(countDeltas, field, (countDeltas[field] or 0) + delta)
end

-- Keys whose type was checked in this run: only this script writes them while it runs, and only
-- with the expected type, so one check per key and run is enough.
local typeChecked = {}
-- Whether an event of the run was added to the journal (save() trims it then).
local journaled = false
local function wrong_type(key, expected)
  if typeChecked[key] then return end
  local actual = redis.call('TYPE', key)
  if type(actual) == 'table' then actual = actual.ok end
  if actual ~= 'none' and actual ~= expected then
    error({ err = 'WRONGTYPE Operation against a key holding the wrong kind of value: ' .. key .. ' is a ' .. actual .. ', expected a ' .. expected })
  end
  typeChecked[key] = true
end

-- Applies the k-th event of the run; returns code, detail.
local function apply_one(k)
  local record = records[k]
  local json = ARGV[jsonAt[k]]
  local id, status = record[R_ID], record[R_STATUS]
  local bn, li = tonumber(record[R_BLOCK]), tonumber(record[R_LOG])
  local fromTokens, toTokens = KEYS[record[R_FROM_TOKENS]], KEYS[record[R_TO_TOKENS]]

  if status == 'REMOVED' then
    -- Ids at or below the trim boundary left `applied` (or do at the end of this run).
    local stored = bn > trimmed and appliedState[id]
    if not stored then
      if removedState[id] then return 'D', '' end
      return 'U', ''
    end
    -- A REMOVED event carries the args of the event it names, so its tokens-of keys are the stored
    -- effect's holders.
    local effect = cjson.decode(stored)
    project(effect[1], effect[3], -1, fromTokens, toTokens)
    count_event(effect[2], -1)
    -- Each entity comes back as it was before the event (snapshots in effect[4], one per change);
    -- REMOVED events arrive newest first, so every later change was reversed already.
    local snapshots = effect[4]
    if snapshots then
      for i, op in ipairs(record[R_OPS]) do
        local snapshot = snapshots[i]
        if snapshot ~= nil then
          -- Loaded first so save() knows what the entity was before the run.
          load_entity(KEYS[op.h])
          entityChanges[#entityChanges + 1] = { op, unflatten(snapshot) }
        end
      end
    end
    put(appliedState, id, false)
    put(appliedChanges, id, false)
    put(removedState, id, true)
    put(removedAdds, id, true)
    -- Roll the mark back to the end of the previous block: the whole block was orphaned, and its
    -- canonical replacement may have events at any log index.
    if hb and bn <= hb then
      if bn > 0 then
        hb, hl = bn - 1, 999999999
      else
        hb, hl = nil, nil
      end
    end
  else
    -- Dedup by id, not by position: after a deep reorg the canonical replacements sit at positions at
    -- or below the mark (the fork point is not known per contract). Every applied id above the trim
    -- boundary is in `applied`; at or below it only redeliveries of long-applied events can arrive.
    if bn <= trimmed or appliedState[id] or removedState[id] then return 'D', '' end
    project(record[R_KIND], record[R_PAYLOAD], 1, fromTokens, toTokens)
    count_event(record[R_COUNT], 1)
    local effect = ARGV[jsonAt[k] + 1]
    local ops = record[R_OPS]
    if #ops > 0 then
      local snapshots = {}
      for i, op in ipairs(ops) do
        local before = load_entity(KEYS[op.h])
        snapshots[i] = flatten(before)
        local after = false
        if not op.d then
          after = {}
          if before then
            for field, value in pairs(before) do after[field] = value end
          end
          for j = 1, #op.f, 2 do after[op.f[j]] = op.f[j + 1] end
          for j = 1, #op.s, 2 do after[op.s[j]] = op.s[j + 1] end
          for j = 1, #op.a, 2 do after[op.a[j]] = big_add(after[op.a[j]] or '0', op.a[j + 1]) end
          after[ENTITY.updatedAtBlock] = record[R_BLOCK]
          -- The cursor is only known below; marked here and filled in with it.
          after[ENTITY.cursor] = true
        end
        entityChanges[#entityChanges + 1] = { op, after }
      end
      -- The effect JSON array gains the snapshots REMOVED restores: [kind, count field, payload, snapshots].
      effect = string.sub(effect, 1, -2) .. ',' .. cjson.encode(snapshots) .. ']'
    end
    put(appliedState, id, effect)
    put(appliedChanges, id, effect)
    put(appliedScores, id, bn)
    if bn - reorgWindow - 1 > trimmed then trimmed = bn - reorgWindow - 1 end
    if not hb or bn > hb or (bn == hb and li > hl) then hb, hl = bn, li end
  end

  -- Journal entry id: the chain position, unless a deep reorg already moved the journal past it.
  local jb, jl = bn, li
  if lb then
    if not (bn > lb or (bn == lb and li > ll)) then jb, jl = lb, ll + 1 end
  elseif bn == 0 and li == 0 then
    jl = 1
  end
  local cursor = string.format('%d-%d', jb, jl)
  -- The event's Redis writes come last and start only once none of them can fail on bad data.
  -- (Most events have neither token writes nor entity changes: the loops are skipped.)
  local hasTokenWrites, hasEntityChanges = tokenWrites[1] ~= nil, entityChanges[1] ~= nil
  if hasTokenWrites then
    for _, write in ipairs(tokenWrites) do wrong_type(write[2], 'zset') end
  end
  if not typeChecked[KEYS[6]] then wrong_type(KEYS[6], 'stream') end
  -- (An entity hash of the wrong type already failed its HGETALL when it was loaded.)
  if hasEntityChanges then
    for _, change in ipairs(entityChanges) do
      local op = change[1]
      wrong_type(KEYS[op.x], 'zset')
      wrong_type(KEYS[op.j], 'stream')
    end
  end
  redis.call('XADD', KEYS[6], cursor, RM.journal.event, json)
  journaled = true
  if hasTokenWrites then
    for _, write in ipairs(tokenWrites) do redis.call(unpack(write)) end
  end
  for _, change in ipairs(entityChanges) do
    local op, after = change[1], change[2]
    if after and after[ENTITY.cursor] == true then after[ENTITY.cursor] = cursor end
    local hkey = KEYS[op.h]
    put(entities, hkey, after)
    if not entityDirty[hkey] then put(entityDirty, hkey, { KEYS[op.x], op.k }) end
    local json = after and cjson.encode(after) or 'null'
    redis.call('XADD', KEYS[op.j], 'MAXLEN', '~', journalMax, cursor, RM.entityJournal.key, op.k, RM.entityJournal.entity, json)
    local message = RM.entityMessage
    redis.call(PUBLISH, op.c, message.prefix .. cjson.encode(op.p) .. message.key .. cjson.encode(op.k) .. message.entity .. json .. message.cursor .. cursor .. message.suffix)
  end
  lb, ll = jb, jl
  appliedCount = appliedCount + 1

  local template = RM.eventMessage
  local message
  local trace = traces[k]
  if trace and trace ~= '' then
    message = template.prefix .. json .. template.middle .. cursor .. template.trace .. trace .. template.suffix
  else
    message = template.prefix .. json .. template.middle .. cursor .. template.suffix
  end
  redis.call(PUBLISH, contractChannel, message)
  for _, account in ipairs(record[R_ACCOUNTS]) do redis.call(PUBLISH, accountChannelPrefix .. account, message) end
  return 'A', cursor
end

-- Writes `items` (a flat list) with `command key ...items` in slices that stay below Lua's stack limit.
local function write_all(command, key, items, width)
  local slice = 1000 * width
  for i = 1, #items, slice do
    redis.call(command, key, unpack(items, i, math.min(i + slice - 1, #items)))
  end
end

local function save_cache(c)
  local sets, deletes = {}, {}
  for field in pairs(c.dirty) do
    local value = c.values[field]
    if value == '0' then
      deletes[#deletes + 1] = field
    else
      sets[#sets + 1] = field
      sets[#sets + 1] = value
    end
  end
  write_all('HSET', c.key, sets, 2)
  write_all('HDEL', c.key, deletes, 1)
end

local function save_entities()
  for hkey, where in pairs(entityDirty) do
    local before, after = entityLoaded[hkey], entities[hkey]
    local sets, deletes = {}, {}
    if after then
      for field, value in pairs(after) do
        if not before or before[field] ~= value then
          sets[#sets + 1] = field
          sets[#sets + 1] = value
        end
      end
    end
    if before then
      for field in pairs(before) do
        if not after or after[field] == nil then deletes[#deletes + 1] = field end
      end
    end
    write_all('HSET', hkey, sets, 2)
    write_all('HDEL', hkey, deletes, 1)
    if after and not before then
      redis.call('ZADD', where[1], 0, where[2])
    elseif before and not after then
      redis.call('ZREM', where[1], where[2])
    end
  end
end

local function save()
  -- The journal is trimmed once per run rather than by each XADD (fewer arguments per event).
  if journaled then redis.call('XTRIM', KEYS[6], 'MAXLEN', '~', journalMax) end
  save_cache(balances)
  save_cache(multi)
  save_entities()
  local ownerSets, ownerDeletes = {}, {}
  for tokenId, owner in pairs(ownerChanges) do
    if owner then
      ownerSets[#ownerSets + 1] = tokenId
      ownerSets[#ownerSets + 1] = owner
    else
      ownerDeletes[#ownerDeletes + 1] = tokenId
    end
  end
  write_all('HSET', KEYS[10], ownerSets, 2)
  write_all('HDEL', KEYS[10], ownerDeletes, 1)
  if supplyChanged then redis.call('HSET', KEYS[8], TOKEN.totalSupply, supply) end
  if holdersDelta ~= 0 then redis.call('HINCRBY', KEYS[8], TOKEN.holders, holdersDelta) end
  if transfersDelta ~= 0 then redis.call('HINCRBY', KEYS[8], TOKEN.transfers, transfersDelta) end
  for field, delta in pairs(countDeltas) do
    if delta ~= 0 and redis.call('HINCRBY', KEYS[7], field, delta) == 0 then redis.call('HDEL', KEYS[7], field) end
  end

  local appliedSets, indexAdds, appliedDeletes = {}, {}, {}
  for id, effect in pairs(appliedChanges) do
    if effect then
      appliedSets[#appliedSets + 1] = id
      appliedSets[#appliedSets + 1] = effect
      indexAdds[#indexAdds + 1] = appliedScores[id]
      indexAdds[#indexAdds + 1] = id
    else
      appliedDeletes[#appliedDeletes + 1] = id
    end
  end
  write_all('HSET', KEYS[3], appliedSets, 2)
  write_all('ZADD', KEYS[4], indexAdds, 2)
  write_all('HDEL', KEYS[3], appliedDeletes, 1)
  write_all('ZREM', KEYS[4], appliedDeletes, 1)
  local removedList = {}
  for id in pairs(removedAdds) do removedList[#removedList + 1] = id end
  write_all('SADD', KEYS[5], removedList, 1)

  local fields = { META.trimmed, string.format('%d', trimmed), META.appliedCount, string.format('%d', appliedCount) }
  if lb then
    fields[#fields + 1] = META.lastJournalId
    fields[#fields + 1] = string.format('%d-%d', lb, ll)
  end
  if hb then
    fields[#fields + 1] = META.highWaterMark
    fields[#fields + 1] = string.format('%d-%d', hb, hl)
  elseif meta[1] then
    redis.call('HDEL', KEYS[2], META.highWaterMark)
  end
  redis.call('HSET', KEYS[2], unpack(fields))
  -- Forget the applied ids that left the reorg window.
  if trimmed > trimmedBefore then
    local old = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', string.format('%d', trimmed), 'LIMIT', 0, 64 * count)
    write_all('HDEL', KEYS[3], old, 1)
    -- The ids read are the index's first #old by rank (score, then id), as ZRANGEBYSCORE returns them.
    if #old > 0 then redis.call('ZREMRANGEBYRANK', KEYS[4], 0, #old - 1) end
  end
end

local results = {}
for k = 1, count do
  -- The run's scalars before the event, restored when it fails.
  local b1, b2, b3, b4, b5, b6, b7, b8, b9, b10 =
    supply, supplyChanged, holdersDelta, transfersDelta, hb, hl, lb, ll, trimmed, appliedCount
  -- The previous event's lists, emptied (most events leave them empty: nothing to allocate).
  if tokenWrites[1] then tokenWrites = {} end
  if entityChanges[1] then entityChanges = {} end
  undoN = 0
  local ok, code, detail = pcall(apply_one, k)
  if not ok then
    rollback()
    supply, supplyChanged, holdersDelta, transfersDelta, hb, hl, lb, ll, trimmed, appliedCount =
      b1, b2, b3, b4, b5, b6, b7, b8, b9, b10
    local message = type(code) == 'table' and (code.err or '') or tostring(code)
    -- Only bad data fails just its event; anything else (a bug in this script, OOM) stops the run so
    -- the processor retries it without committing.
    if string.sub(message, 1, 9) ~= 'WRONGTYPE' then
      save()
      return redis.error_reply('BWRETRY ' .. message)
    end
    code, detail = 'E', message
  end
  results[#results + 1] = code
  results[#results + 1] = detail
end
save()
return results
