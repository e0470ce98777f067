# Independent DES of email (deferred work) answered within business time, written from the
# rules of issue 9 / docs/model.md, not from ccsim's code:
# - open hours run from opening up to, not including, closing; business time counts open hours;
# - an item is answered when its handling ends;
# - the clock starts at receipt if the center is open, otherwise at the next opening;
# - "1 business day": answered by the same clock time on the next open day (its opening if it
#   opens later, its close if it closes earlier);
# - "N business hours": business time from clock start to answer <= N hours;
# - agents work only while the center is open; at closing an agent finishes the item in hand,
#   then stops until the next opening; FCFS; no abandonment; backlog carries across days.
# Poisson arrivals around the clock, exponential handle times, a fixed team every open hour.
# Counts the emails received in weeks 2..WEEKS (week 1 is warmup); runs until all are answered.
import heapq, math, random, sys, statistics as st

DAY = 86400.0
# Mon..Sun opening hours as (open, close) seconds since midnight, None when closed.
HOURS = [(8 * 3600.0, 17 * 3600.0)] * 5 + [None, None]
RATE = 6.0 / 3600.0      # emails per second, around the clock
HANDLE = 12 * 60.0       # mean handle time, seconds (exponential)
AGENTS = 5
WEEKS = 3


def hours_of(day):
    return HOURS[int(day) % 7]


def is_open(t):
    h = hours_of(t // DAY)
    tod = t - (t // DAY) * DAY
    return h is not None and h[0] <= tod < h[1]


def next_opening(t):
    """t itself when open, else the next opening at or after t."""
    if is_open(t):
        return t
    d = math.floor(t / DAY)
    while True:
        h = hours_of(d)
        if h is not None and d * DAY + h[0] >= t:
            return d * DAY + h[0]
        d += 1


def close_of(t):
    """The close of the open period containing t."""
    d = math.floor(t / DAY)
    return d * DAY + hours_of(d)[1]


def business_day_deadline(start):
    d = math.floor(start / DAY)
    tod = start - d * DAY
    n = d + 1
    while hours_of(n) is None:
        n += 1
    o, c = hours_of(n)
    return n * DAY + min(max(tod, o), c)


def business_seconds(a, b):
    total, t = 0.0, a
    while t < b:
        t = next_opening(t)
        if t >= b:
            break
        end = min(close_of(t), b)
        total += end - t
        t = end
    return total


def check_rules():
    mon = 0.0
    fri = 4 * DAY
    # Fri 16:30 -> Mon 16:30 of the next week.
    assert business_day_deadline(fri + 16.5 * 3600) == 7 * DAY + 16.5 * 3600
    # Sat 12:00 -> clock starts Mon 08:00 -> Tue 08:00.
    s = next_opening(5 * DAY + 12 * 3600)
    assert s == 7 * DAY + 8 * 3600 and business_day_deadline(s) == 8 * DAY + 8 * 3600
    # Closing time itself is closed; business hours skip the night.
    assert not is_open(mon + 17 * 3600) and is_open(mon + 8 * 3600)
    assert business_seconds(mon + 16 * 3600, DAY + 9 * 3600) == 2 * 3600


def rep(seed):
    r = random.Random(seed)
    horizon = WEEKS * 7 * DAY
    arrivals, t = [], 0.0
    while True:
        t += r.expovariate(RATE)
        if t >= horizon:
            break
        arrivals.append(t)
    queue = []  # arrival times, FCFS
    busy_until = []  # heap of (end, arrival)
    idle = AGENTS
    within_day = within_4h = counted = 0
    i, now = 0, 0.0
    events = []  # (time, kind, data): kind 0 = end of handling, 1 = arrival, 2 = opening
    for a in arrivals:
        heapq.heappush(events, (a, 1, a))
    # Openings (to start work on the backlog) for every open day until well past the horizon.
    for d in range(WEEKS * 7 + 28):
        h = hours_of(d)
        if h is not None:
            heapq.heappush(events, (d * DAY + h[0], 2, None))
    backlog_at_close = []
    pending = len(arrivals)

    waits = []  # time until an agent takes it, emails received from week 2 on

    def start(now, a):
        if a >= 7 * DAY:
            waits.append(now - a)
        heapq.heappush(events, (now + r.expovariate(1.0 / HANDLE), 0, a))

    while events and pending > 0:
        now, kind, a = heapq.heappop(events)
        if kind == 1:
            queue.append(a)
            if is_open(now) and idle > 0:
                idle -= 1
                start(now, queue.pop(0))
        elif kind == 0:
            pending -= 1
            if a >= 7 * DAY:
                counted += 1
                s = next_opening(a)
                within_day += now <= business_day_deadline(s)
                within_4h += business_seconds(s, now) <= 4 * 3600
            if is_open(now) and queue:
                start(now, queue.pop(0))
            else:
                idle += 1
        else:
            while idle > 0 and queue:
                idle -= 1
                start(now, queue.pop(0))
    return within_day / counted, within_4h / counted, counted, sum(waits) / len(waits)


if __name__ == "__main__":
    check_rules()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    res = [rep(s) for s in range(n)]

    def ci(xs):
        m = st.mean(xs)
        h = 1.96 * st.stdev(xs) / math.sqrt(len(xs))
        return f"{m:.4f} ± {h:.4f}"

    print("within 1 business day", ci([x[0] for x in res]))
    print("within 4 business hours", ci([x[1] for x in res]))
    print("emails counted", ci([x[2] for x in res]))
    print("mean wait until an agent takes it, s", ci([x[3] for x in res]))
