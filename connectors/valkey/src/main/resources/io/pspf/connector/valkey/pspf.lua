#!lua name=pspf_v2
-- PSPF's server-side functions (FUNCTION LOAD; persisted and replicated with the data). See ValkeyBackend for the
-- key layout. Every function makes all its checks before its first write: scripts are atomic but never roll back.
-- Offsets are formatted with %d: Lua numbers are doubles, and tostring would print large ones in exponent form.

local function fail(code, message)
  return redis.error_reply('PSPF_' .. code .. ' ' .. message)
end

-- keys: topics hash, topic config hash, then the meta hash of each partition 0..n-1
-- args: topic, partition count, then config name/value pairs
local function create_topic(keys, args)
  local topic = args[1]
  local n = tonumber(args[2])
  local existing = redis.call('HGET', keys[1], topic)
  if existing then
    if tonumber(existing) ~= n then
      return fail('PARTITIONS', 'Topic ' .. topic .. ' exists with ' .. existing .. ' partitions, not ' .. args[2])
    end
    return 0
  end
  redis.call('HSET', keys[1], topic, n)
  for i = 3, #keys do
    -- a partition left by an unregistered topic keeps its records and offsets
    if redis.call('HEXISTS', keys[i], 'end') == 0 then
      redis.call('HSET', keys[i], 'start', 0, 'end', 0)
    end
  end
  for i = 3, #args, 2 do
    redis.call('HSET', keys[2], args[i], args[i + 1])
  end
  return 1
end

-- Valkey Cluster, where a call's keys share a slot: topics are made in steps, each repeatable.
-- keys: a partition's meta hash. Creates it empty unless it exists.
local function create_partition(keys, args)
  if redis.call('HEXISTS', keys[1], 'end') == 0 then
    redis.call('HSET', keys[1], 'start', 0, 'end', 0)
    return 1
  end
  return 0
end

-- keys: topics hash, topic config hash; args: topic, partition count, then config name/value pairs. Registers a
-- topic whose partitions were made (create_partition); an existing topic must have the same partition count.
local function register_topic(keys, args)
  local existing = redis.call('HGET', keys[1], args[1])
  if existing then
    if tonumber(existing) ~= tonumber(args[2]) then
      return fail('PARTITIONS', 'Topic ' .. args[1] .. ' exists with ' .. existing .. ' partitions, not ' .. args[2])
    end
    return 0
  end
  redis.call('HSET', keys[1], args[1], args[2])
  for i = 3, #args, 2 do
    redis.call('HSET', keys[2], args[i], args[i + 1])
  end
  return 1
end

-- keys: topics hash, topic config hash, then the stream and meta keys of every partition
-- args: topic
local function delete_topic(keys, args)
  redis.call('HDEL', keys[1], args[1])
  for i = 2, #keys do
    redis.call('DEL', keys[i])
  end
  return 1
end

-- Appends entries to one partition. keys: stream, meta; args: (count, batch) per entry. Returns the first offset.
local function append(keys, args)
  local e = redis.call('HGET', keys[2], 'end')
  if not e then
    return fail('UNKNOWN_PARTITION', keys[1])
  end
  local first = tonumber(e)
  local next_offset = first
  local bytes = 0
  for i = 1, #args, 2 do
    next_offset = next_offset + tonumber(args[i])
    redis.call('XADD', keys[1], string.format('0-%d', next_offset), 'n', args[i], 'b', args[i + 1])
    bytes = bytes + #args[i + 1]
  end
  redis.call('HSET', keys[2], 'end', string.format('%d', next_offset))
  redis.call('HINCRBY', keys[2], 'bytes', bytes)
  return first
end

-- Appends entries of a PSPF partition (mode 'b': (count, batch) pairs) or of a plain stream (mode 'p': per entry
-- the number of fields, then field/value pairs, added with server-given IDs). args[i] is the entry count. Returns the
-- next argument index and the partition's outcome: its first offset ('b'), or its first and last entry IDs ('p').
local function add_entries(stream, meta, mode, args, i, first_offset)
  local entries = tonumber(args[i])
  i = i + 1
  if mode == 'p' then
    local first_id, last_id
    for _ = 1, entries do
      local fields = tonumber(args[i])
      local pairs_at = i + 1
      local call = {'XADD', stream, '*'}
      for j = pairs_at, pairs_at + 2 * fields - 1 do
        call[#call + 1] = args[j]
      end
      last_id = redis.call(unpack(call))
      first_id = first_id or last_id
      i = pairs_at + 2 * fields
    end
    return i, {first_id, last_id}
  end
  local next_offset = first_offset
  local bytes = 0
  for _ = 1, entries do
    next_offset = next_offset + tonumber(args[i])
    redis.call('XADD', stream, string.format('0-%d', next_offset), 'n', args[i], 'b', args[i + 1])
    bytes = bytes + #args[i + 1]
    i = i + 2
  end
  redis.call('HSET', meta, 'end', string.format('%d', next_offset))
  redis.call('HINCRBY', meta, 'bytes', bytes)
  return i, first_offset
end

-- Appends to one plain stream. keys: stream; args: entry count, then per entry its field count and pairs.
-- Returns the first and last entry IDs.
-- Whether a key is free for a plain stream or holds one (what other programs keep under that name).
local function plain_stream_ok(key)
  local t = redis.call('TYPE', key)
  t = t.ok or t
  return t == 'none' or t == 'stream'
end

local function append_plain(keys, args)
  if not plain_stream_ok(keys[1]) then
    return fail('NOT_A_STREAM', keys[1] .. ' holds something other than a stream')
  end
  local _, ids = add_entries(keys[1], nil, 'p', args, 1, 0)
  return ids
end

-- The head every commit's args start with: task count, (task, epoch) per task, offset count, (field, offset) per
-- offset. Returns nil if a task's epoch is not the stored one; else where the offsets start, their count, and the
-- index of the first argument after them.
local function check_epochs(epochs, args)
  local i = 2
  for _ = 1, tonumber(args[1]) do
    local stored = tonumber(redis.call('HGET', epochs, args[i])) or 0
    if stored ~= tonumber(args[i + 1]) then
      return nil
    end
    i = i + 2
  end
  local offsets = tonumber(args[i])
  return i + 1, offsets, i + 1 + 2 * offsets
end

-- One commit unit. keys: epochs hash, offsets hash, then stream and meta of each partition written (a plain stream
-- names its stream twice). args: task count, (task, epoch) per task, offset count, (field, offset) per offset, then
-- per partition written: mode ('b' or 'p') and its entries (see add_entries).
-- Returns {'FENCED'} or {'OK', then per partition written its outcome (see add_entries)}.
local function commit(keys, args)
  local offsets_at, offsets, i = check_epochs(keys[1], args)
  if not offsets_at then
    return {'FENCED'}
  end
  -- every check before the first write: the partitions must exist
  local firsts = {}
  local j = i
  for k = 3, #keys, 2 do
    local mode = args[j]
    if mode == 'b' then
      local e = redis.call('HGET', keys[k + 1], 'end')
      if not e then
        return fail('UNKNOWN_PARTITION', keys[k])
      end
      firsts[#firsts + 1] = tonumber(e)
    else
      if not plain_stream_ok(keys[k]) then
        return fail('NOT_A_STREAM', keys[k] .. ' holds something other than a stream')
      end
      firsts[#firsts + 1] = 0
    end
    -- skip this partition's entries
    local entries = tonumber(args[j + 1])
    j = j + 2
    for _ = 1, entries do
      if mode == 'b' then
        j = j + 2
      else
        j = j + 1 + 2 * tonumber(args[j])
      end
    end
  end
  local result = {'OK'}
  local p = 1
  for k = 3, #keys, 2 do
    local mode = args[i]
    local outcome
    i, outcome = add_entries(keys[k], keys[k + 1], mode, args, i + 1, firsts[p])
    result[#result + 1] = outcome
    p = p + 1
  end
  for o = offsets_at, offsets_at + 2 * offsets - 1, 2 do
    redis.call('HSET', keys[2], args[o], args[o + 1])
  end
  return result
end

-- Deletes the records below an offset. keys: stream, meta; args: offset. Returns the new log start.
-- args: the offset; optionally the bytes of the entries deleted and the start they were counted from (the
-- cleaner): subtracted only if this call moves the start from there. Otherwise the size is marked for a recount.
local function delete_before(keys, args)
  local m = redis.call('HMGET', keys[2], 'start', 'end')
  if not m[2] then
    return fail('UNKNOWN_PARTITION', keys[1])
  end
  local start = tonumber(m[1])
  local target = math.min(tonumber(args[1]), tonumber(m[2]))
  if target > start then
    redis.call('HSET', keys[2], 'start', string.format('%d', target))
    -- an entry 0-end holds offsets below end: those with end <= target hold only deleted records. (The partition's
    -- 'bytes' is not lowered here, which would mean reading every deleted entry in this call: the cleaner, which
    -- walks the entries it deletes, lowers it, and counts it again where size retention needs it exact.)
    redis.call('XTRIM', keys[1], 'MINID', string.format('0-%d', target + 1))
    if args[2] and tonumber(args[3]) == start then
      redis.call('HINCRBY', keys[2], 'bytes', -tonumber(args[2]))
    else
      redis.call('HSET', keys[2], 'recount', 1)
    end
    start = target
  end
  return start
end

-- The last step of compacting a partition. keys: stream, the compacted copy (named after the lock's token: each
-- compaction has its own), meta, the cleaner's lock; args: the lock's token, the offset up to which the copy holds the
-- compacted records, the copy's bytes and record count. If the lock is still the caller's and the partition still exists: moves the
-- entries written meanwhile (IDs above the copied range) to the copy, trims what delete-records removed meanwhile,
-- and puts the copy in the stream's place. Returns 1, or 0 (the copy dropped) if the lock was lost or the topic
-- deleted.
local function compact_swap(keys, args)
  if redis.call('GET', keys[4]) ~= args[1] or redis.call('HEXISTS', keys[3], 'end') == 0 then
    redis.call('DEL', keys[2])
    return 0
  end
  local bytes = tonumber(args[3])
  local tail = redis.call('XRANGE', keys[1], string.format('(0-%d', tonumber(args[2])), '+')
  for _, entry in ipairs(tail) do
    local call = {'XADD', keys[2], entry[1]}
    local fields = entry[2]
    for f = 1, #fields do
      call[#call + 1] = fields[f]
      if fields[f] == 'b' and f % 2 == 1 then
        bytes = bytes + #fields[f + 1]
      end
    end
    redis.call(unpack(call))
  end
  local start = tonumber(redis.call('HGET', keys[3], 'start')) or 0
  if redis.call('EXISTS', keys[2]) == 1 then
    redis.call('XTRIM', keys[2], 'MINID', string.format('0-%d', start + 1))
    redis.call('RENAME', keys[2], keys[1])
    -- the copy had a time to live (in case its cleaner died); the stream must not
    redis.call('PERSIST', keys[1])
  else
    redis.call('DEL', keys[1])
  end
  redis.call('HSET', keys[3], 'compacted', args[2], 'bytes', string.format('%d', bytes), 'kept', args[4])
  redis.call('HDEL', keys[3], 'recount')
  redis.call('DEL', keys[4])
  return 1
end

-- Cluster commits, in two steps (keys of one call share a slot). The first, in the group's slot: checks the epochs,
-- adds the unit (its records by partition) to the committing thread's unit stream, and stores the input offsets.
-- keys: epochs hash, offsets hash, the thread's unit stream, the set of unit streams. args: task count, (task, epoch)
-- per task, offset count, (field, offset) per offset, then the unit's field/value pairs. Returns {'FENCED'} or
-- {'OK', unit id}.
local function commit_unit(keys, args)
  local offsets_at, offsets, i = check_epochs(keys[1], args)
  if not offsets_at then
    return {'FENCED'}
  end
  local call = {'XADD', keys[3], '*'}
  for j = i, #args do
    call[#call + 1] = args[j]
  end
  if #call == 3 then
    call[#call + 1] = 'none'
    call[#call + 1] = ''
  end
  local id = redis.call(unpack(call))
  redis.call('PERSIST', keys[3])
  for j = offsets_at, offsets_at + 2 * offsets - 1, 2 do
    redis.call('HSET', keys[2], args[j], args[j + 1])
  end
  redis.call('SADD', keys[4], keys[3])
  return {'OK', id}
end

-- Whether stream ID a ('ms-seq') is at or below b.
local function id_at_or_below(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as <= bs)
end

-- The second step, in a destination partition's slot: appends a unit's entries for this partition unless the
-- partition already has this unit (or a later one of the same unit stream: a stream's units are applied in order).
-- keys: stream, meta; args: the unit stream's key, the unit id, then the entry count and (count, batch) pairs.
-- Returns {'OK', first offset} (also when this very unit was applied before: the offset it got then) or {'DUP'}.
local function apply_unit(keys, args)
  local e = redis.call('HGET', keys[2], 'end')
  if not e then
    return fail('UNKNOWN_PARTITION', keys[1])
  end
  local field = 'unit:' .. args[1]
  local applied = redis.call('HGET', keys[2], field)
  if applied == args[2] then
    -- this very unit, applied by someone settling the group: the offsets it got there
    return {'OK', tonumber(redis.call('HGET', keys[2], 'first:' .. args[1]))}
  end
  if applied and id_at_or_below(args[2], applied) then
    return {'DUP'}
  end
  local _, first = add_entries(keys[1], keys[2], 'b', args, 3, tonumber(e))
  redis.call('HSET', keys[2], field, args[2], 'first:' .. args[1], string.format('%d', first))
  return {'OK', first}
end

-- Once a unit is in every destination: removes it; a unit stream left empty leaves the set (a later commit_unit
-- adds it again). The empty stream itself stays for a day (a commit_unit makes it lasting again): it keeps its last
-- ID, so the IDs of its later units keep growing even if the server's clock goes back, and the stream of a process
-- that ended goes away. keys: the unit stream, the set of unit streams; args: the unit id.
local function unit_done(keys, args)
  redis.call('XDEL', keys[1], args[1])
  if redis.call('XLEN', keys[1]) == 0 then
    redis.call('SREM', keys[2], keys[1])
    redis.call('PEXPIRE', keys[1], 86400000)
  end
  return 1
end

-- keys: a partition's meta; args: an age in ms, then pairs of a unit stream and the last unit id the cleaner saw
-- applied here from it (the stream was gone). Forgets each stream's fields while they still hold the unit seen (one
-- applied since, by a stream made anew, keeps them) and that unit is older than the age by the server's clock: a
-- stream is gone once its units were all applied, but a committer or settler paused in the middle of applying one
-- could still hold it, so its mark stays far longer than any pause. Returns how many it forgot.
local function forget_units(keys, args)
  local t = redis.call('TIME')
  local before = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(args[1])
  local forgotten = 0
  for i = 2, #args, 2 do
    local field = 'unit:' .. args[i]
    local applied = redis.call('HGET', keys[1], field)
    if applied == args[i + 1] and tonumber(string.match(applied, '^(%d+)')) < before then
      redis.call('HDEL', keys[1], field, 'first:' .. args[i])
      forgotten = forgotten + 1
    end
  end
  return forgotten
end

-- keys: meta; args: the bytes counted, the 'bytes' value read before counting. Replaces the tracked size by the count
-- (plus whatever appends added since the count began) if the partition exists; clears the recount mark.
local function set_size(keys, args)
  if redis.call('HEXISTS', keys[1], 'end') == 0 then
    return 0
  end
  local now = tonumber(redis.call('HGET', keys[1], 'bytes')) or 0
  local counted = tonumber(args[1]) + math.max(0, now - tonumber(args[2]))
  redis.call('HSET', keys[1], 'bytes', string.format('%d', counted))
  redis.call('HDEL', keys[1], 'recount')
  return 1
end

-- Makes the caller a task's owner. keys: epochs hash; args: task. Returns the new epoch.
local function fence(keys, args)
  return redis.call('HINCRBY', keys[1], args[1], 1)
end

-- keys: epochs hash, the task's lease key; args: task id, member, lease ttl ms. Takes the lease if free (or ours) and
-- the task's next epoch, in one step; -1 (and nothing changed) when another member holds the lease.
local function fence_leased(keys, args)
  local holder = redis.call('GET', keys[2])
  if holder and holder ~= args[2] then
    return -1
  end
  redis.call('SET', keys[2], args[2], 'PX', args[3])
  return redis.call('HINCRBY', keys[1], args[1], 1)
end

-- Membership. keys: members sorted set (score = deadline, server time in ms); args: member, session timeout ms.
-- Returns the number of live members, this one included.
local function heartbeat(keys, args)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', keys[1], '-inf', now)
  if args[1] ~= '' then
    redis.call('ZADD', keys[1], now + tonumber(args[2]), args[1])
  end
  return redis.call('ZCARD', keys[1])
end

-- keys: lease key; args: member, ttl ms. Takes the lease if free or ours (and extends it). Returns 1 or 0.
local function acquire(keys, args)
  local holder = redis.call('GET', keys[1])
  if holder and holder ~= args[1] then
    return 0
  end
  redis.call('SET', keys[1], args[1], 'PX', args[2])
  return 1
end

-- keys: lease keys; args: member, ttl ms. Extends the leases still ours; returns, per lease, 1 if ours, else 0.
local function renew(keys, args)
  local held = {}
  for i = 1, #keys do
    if redis.call('GET', keys[i]) == args[1] then
      redis.call('PEXPIRE', keys[i], args[2])
      held[i] = 1
    else
      held[i] = 0
    end
  end
  return held
end

-- keys: lease key; args: member. Deletes the lease if it is ours.
local function release(keys, args)
  if redis.call('GET', keys[1]) == args[1] then
    redis.call('DEL', keys[1])
    return 1
  end
  return 0
end

-- keys: members sorted set, reports hash. Drops the members past their deadline with their reports; returns the live
-- members and their reports as a flat list: member, report, member, report...
local function members(keys, args)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local dead = redis.call('ZRANGEBYSCORE', keys[1], '-inf', now)
  if #dead > 0 then
    redis.call('ZREMRANGEBYSCORE', keys[1], '-inf', now)
    redis.call('HDEL', keys[2], unpack(dead))
  end
  local live = redis.call('ZRANGE', keys[1], 0, -1)
  local out = {}
  for i = 1, #live do
    out[#out + 1] = live[i]
    out[#out + 1] = redis.call('HGET', keys[2], live[i]) or ''
  end
  return out
end

-- keys: assignment hash (fields generation, assignment); args: the generation read, the next assignment. Writes it
-- as generation + 1 if the stored generation is still the one read. Returns 1 or 0.
local function assign(keys, args)
  local generation = tonumber(redis.call('HGET', keys[1], 'generation') or '0')
  if generation ~= tonumber(args[1]) then
    return 0
  end
  redis.call('HSET', keys[1], 'generation', generation + 1, 'assignment', args[2])
  return 1
end

-- Server time in ms.
local function now_ms(keys, args)
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

redis.register_function('pspf_v2_create_topic', create_topic)
redis.register_function('pspf_v2_delete_topic', delete_topic)
redis.register_function('pspf_v2_append', append)
redis.register_function('pspf_v2_append_plain', append_plain)
redis.register_function('pspf_v2_commit', commit)
redis.register_function('pspf_v2_delete_before', delete_before)
redis.register_function('pspf_v2_fence', fence)
redis.register_function('pspf_v2_create_partition', create_partition)
redis.register_function('pspf_v2_register_topic', register_topic)
redis.register_function('pspf_v2_commit_unit', commit_unit)
redis.register_function('pspf_v2_apply_unit', apply_unit)
redis.register_function('pspf_v2_unit_done', unit_done)
redis.register_function('pspf_v2_compact_swap', compact_swap)
redis.register_function('pspf_v2_set_size', set_size)
redis.register_function('pspf_v2_forget_units', forget_units)
redis.register_function('pspf_v2_fence_leased', fence_leased)
redis.register_function('pspf_v2_heartbeat', heartbeat)
redis.register_function('pspf_v2_acquire', acquire)
redis.register_function('pspf_v2_renew', renew)
redis.register_function('pspf_v2_release', release)
redis.register_function('pspf_v2_members', members)
redis.register_function('pspf_v2_assign', assign)
redis.register_function{function_name='pspf_v2_now', callback=now_ms, flags={'no-writes'}}
