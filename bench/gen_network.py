#!/usr/bin/env python3
"""A generated signage network for the scheduler benches.

gen_network.py SCREENS CAMPAIGNS DIR STATE writes DIR/signage.cfg (SCREENS
screens in 50 regions and 7 lines) and CAMPAIGNS campaign files in
STATE/spool/: a year of dates, half of them with dayparts, priorities 0..100,
weights 1..4; 2 % target every screen, 18 % a line, 20 % one screen, the rest a
region.  Each has one picture (m/a.png or m/b.jpg, made by the caller) and one
to three texts.  The same arguments always give the same files (seed 7).
"""
import random
import sys

screens, campaigns, out, state = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
random.seed(7)
groups = ["region-%02d" % g for g in range(50)]
width = len(str(screens - 1)) if screens > 1000 else 3
sid = lambda i: "screen-%0*d" % (width, i)
with open(out + "/signage.cfg", "w") as f:
    f.write('state = "%s";\nsettle = 0.1;\nscreens = (\n' % state)
    f.write(",\n".join('  { id = "%s"; groups = [ "%s", "%s" ]; width = 1920; height = 1080; }'
                       % (sid(i), groups[i % 50], "line-%d" % (i % 7)) for i in range(screens)))
    f.write("\n);\n")
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
for n in range(campaigns):
    start = random.randrange(0, 365)
    length = random.randrange(7, 150)
    d0 = "2023-%02d-%02d" % (1 + start // 31 % 12, 1 + start % 28)
    e = start + length
    d1 = "2023-%02d-%02d" % (1 + e // 31 % 12, 1 + e % 28) if e // 31 < 12 else "2023-12-31"
    if d1 <= d0:
        d1 = "2023-12-31"
    r = random.random()
    target = ('"*"' if r < 0.02 else
              '"line-%d"' % random.randrange(7) if r < 0.2 else
              '"%s"' % sid(random.randrange(screens)) if r < 0.4 else
              '"%s"' % random.choice(groups))
    hours = ""
    if random.random() < 0.5:
        h = random.randrange(6, 18)
        hours = 'hours = ( { days = [ %s ]; from = "%02d:00"; to = "%02d:30"; } );\n' % (
            ", ".join('"%s"' % d for d in random.sample(days, random.randrange(1, 8))), h,
            h + random.randrange(1, 6))
    items = ['{ type = "image"; file = "m/%s"; duration = %d; }'
             % (random.choice(["a.png", "b.jpg"]), random.randrange(5, 20))]
    items += ['{ type = "text"; text = "キャンペーン %d の %d"; duration = %d; }'
              % (n, k, random.randrange(5, 15)) for k in range(random.randrange(1, 4))]
    with open("%s/spool/c%05d.cfg" % (state, n), "w") as f:
        f.write('id = "c%05d"; title = "Campaign %d"; owner = "Pref %d";\n'
                'start = "%s"; end = "%s"; screens = [ %s ];\npriority = %d; weight = %d;\n%s'
                'items = ( %s );\n' % (n, n, n % 47, d0, d1, target,
                                      random.choice([0, 50, 50, 50, 80, 100]),
                                      random.randrange(1, 5), hours, ", ".join(items)))
