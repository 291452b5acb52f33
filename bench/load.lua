-- wrk script for `make bench`: one connection per thread, one identity per thread.
--
--   wrk -t N -c N -s bench/load.lua URL -- MODE COOKIES LOG_PREFIX
--
-- MODE is one of the phases of bench/run.py (floor, write_floor, answer_loop, reveal,
-- question_page, dashboard, practice_page, practice_start, start_due, start_planned,
-- library_search, library_question, interview_question, interview_report).
-- COOKIES is a file of "sessionid csrftoken [path ...]" lines (thread i uses line i mod n),
-- or "-" for anonymous requests; the paths are the pages a GET phase asks for in turn
-- (the learner's own session or interview, or the library's questions). Every response is logged to LOG_PREFIX-<thread>.log
-- as "kind status latency_us end_us" (CLOCK_MONOTONIC), so that bench/load.py can
-- give each kind of request its own throughput and percentiles.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local mode, log, cookie, csrf
local kind, started
local session_path, position
local revealed = false
local graded = 0
local paths = {}
local asked = 0
-- Again, Hard, Good, Good, Good, Easy: roughly how people grade.
local grades = { 1, 2, 3, 3, 3, 4 }

function init(args)
  mode = args[1]
  local cookies_file, log_prefix = args[2], args[3]
  if cookies_file ~= "-" then
    local lines = {}
    for line in io.lines(cookies_file) do
      lines[#lines + 1] = line
    end
    local fields = {}
    for field in lines[(tid % #lines) + 1]:gmatch("%S+") do
      fields[#fields + 1] = field
    end
    cookie = "sessionid=" .. fields[1] .. "; csrftoken=" .. fields[2]
    csrf = fields[2]
    for i = 3, #fields do
      paths[#paths + 1] = fields[i]
    end
  end
  log = io.open(log_prefix .. "-" .. tid .. ".log", "w")
  log:setvbuf("line")
end

local function headers(extra)
  local h = { ["Cookie"] = cookie }
  for name, value in pairs(extra or {}) do
    h[name] = value
  end
  return h
end

local function post_headers(extra)
  local h = headers(extra)
  -- Over plain HTTP Django checks only the token; the Origin and Referer are
  -- what a browser would send, for completeness.
  h["X-CSRFToken"] = csrf
  h["Content-Type"] = "application/x-www-form-urlencoded"
  h["Origin"] = "http://" .. wrk.host .. ":" .. wrk.port
  h["Referer"] = "http://" .. wrk.host .. ":" .. wrk.port .. "/practice/"
  return h
end

library_queries = { "correction", "reason+12", "moments+zero", "beta" }
-- What a learner types before revealing (bench/scenes.py's TYPED_ANSWER, form-encoded).
local typed = "The+estimate+is+biased+early+on+because+the+moments+start+at+zero%3B+we+correct+it."
-- The phases that ask for the pages of their COOKIES file, one after another.
local page_modes = {
  question_page = true, library_question = true, interview_question = true, interview_report = true,
}

function request()
  started = now_us()
  if mode == "floor" then
    kind = "floor"
    return wrk.format("GET", "/bench/floor", {})
  elseif mode == "write_floor" then
    kind = "write_floor"
    return wrk.format("POST", "/bench/write-floor", post_headers(), "")
  elseif mode == "dashboard" then
    kind = "dashboard"
    return wrk.format("GET", "/dashboard/", headers())
  elseif mode == "practice_page" then
    kind = "practice_page"
    return wrk.format("GET", "/practice/", headers())
  elseif mode == "library_search" then
    -- Search as you type (htmx): a word matching every generated question, a rarer
    -- prefix, and two words, in turn.
    kind = "library_search"
    searched = (searched or 0) + 1
    local q = library_queries[(searched % #library_queries) + 1]
    return wrk.format("GET", "/questions/?q=" .. q, headers({ ["HX-Request"] = "true" }))
  elseif page_modes[mode] then
    kind = mode
    asked = asked + 1
    return wrk.format("GET", paths[((asked + tid) % #paths) + 1], headers())
  elseif mode == "start_due" or mode == "start_planned" then
    -- Due reviews, within the learner's daily limits (and their plan's pace, when set).
    kind = mode
    return wrk.format("POST", "/practice/", post_headers(), "mode=due&size=20")
  elseif mode == "practice_start" or session_path == nil then
    kind = "practice_start"
    return wrk.format("POST", "/practice/", post_headers(), "mode=random&size=20")
  elseif mode == "reveal" and not revealed then
    kind = "reveal"
    local body = "position=" .. position .. "&typed_answer=" .. typed
    return wrk.format("POST", session_path .. "reveal/", post_headers({ ["HX-Request"] = "true" }), body)
  end
  kind = "grade"
  graded = graded + 1
  local body = "position=" .. position .. "&grade=" .. grades[(graded % #grades) + 1]
  return wrk.format("POST", session_path .. "grade/", post_headers({ ["HX-Request"] = "true" }), body)
end

local function header(hs, wanted)
  wanted = wanted:lower()
  for name, value in pairs(hs) do
    if name:lower() == wanted then
      return value
    end
  end
  return nil
end

function response(status, hs, body)
  local finished = now_us()
  local ok = true
  if kind == "practice_start" or kind == "start_due" or kind == "start_planned" then
    local location = header(hs, "Location")
    ok = status == 302 and location ~= nil
    if ok and (mode == "answer_loop" or mode == "reveal") then
      session_path = location:match("(/practice/[%x-]+/)$")
      position = 0
      revealed = false
      ok = session_path ~= nil
    end
  elseif kind == "reveal" then
    -- The revealed card: the reference answer and the grade buttons.
    ok = status == 200 and body:find('/grade/"', 1, true) ~= nil
    revealed = ok
    if not ok then
      session_path = nil
    end
  elseif kind == "grade" then
    revealed = false
    ok = status == 200
    if ok and header(hs, "HX-Redirect") then
      session_path = nil -- the session is over; the next request starts another
    elseif ok then
      local next_position = body:match('name="position" value="(%d+)"')
      ok = next_position ~= nil and tonumber(next_position) == position + 1
      position = tonumber(next_position)
    end
    if not ok then
      session_path = nil
    end
  else
    ok = status == 200
  end
  log:write(kind, " ", ok and status or ("!" .. status), " ", finished - started, " ", finished, "\n")
end
