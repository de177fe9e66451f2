# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""show_check.py [--helper NAME] [--kernel PROC.txt] [--gre-per-control N]
SHOW.json CTL.txt GRE.txt EXP.txt NAT_ADDR CLIENT...:
pptp-ng show --json must list what `conntrack -L` listed in the same run:
every control connection with helper NAME (pptp unless given), both
tuples, NAT to NAT_ADDR, under it the GRE entries of its client with the
same keys, with counters, and the expectations (`conntrack -L expect`)
whose master it is.  With --kernel, kernel_counters must hold every
`name value` line of the module's /proc/net/nf_pptp_ng read in the same
run; with --gre-per-control, each control has exactly N GRE entries and,
unless --expect-per-control says otherwise (a number, or "any": the module
holds none once GRE flows), N expectations."""
import json
import re
import sys

helper, kernel, per_control, exp_per_control = 'pptp', None, None, None
while len(sys.argv) > 1 and sys.argv[1].startswith('--'):
    opt, val = sys.argv[1], sys.argv[2]
    del sys.argv[1:3]
    if opt == '--helper':
        helper = val
    elif opt == '--kernel':
        kernel = val
    elif opt == '--gre-per-control':
        per_control = int(val)
    elif opt == '--expect-per-control':
        exp_per_control = val
    else:
        sys.exit('show_check: unknown option ' + opt)


def tuples(line):
    """The original and reply tuples of one conntrack -L line."""
    kv = re.findall(r'(\w+)=(\S+)', line)
    out, cur = [], {}
    for k, v in kv:
        if k in cur and k in ('src', 'dst'):
            out.append(cur)
            cur = {}
        if k in ('src', 'dst'):
            cur[k] = v
        elif k in ('sport', 'dport'):
            cur[k] = int(v)
        elif k in ('srckey', 'dstkey'):
            cur[k] = int(v, 16)
    out.append(cur)
    out.append({})
    return out[0], out[1]


def expectation(line):
    """The expected tuple and the master's original tuple of one line."""
    head, master = line.split('master-src=', 1)
    e = tuples(head)[0]
    m = tuples('src=' + master)[0]
    return e, m


def same(a, b):
    return all(a.get(k) == b.get(k) for k in a)


show = json.load(open(sys.argv[1]))['show']
ctl = [tuples(l) for l in open(sys.argv[2]) if 'src=' in l]
gre = [tuples(l) for l in open(sys.argv[3]) if 'src=' in l]
exp = [expectation(l) for l in open(sys.argv[4]) if 'master-src=' in l]
nat, clients = sys.argv[5], sys.argv[6:]
fail = []
if len(show['controls']) != len(ctl):
    fail.append('%d controls, conntrack has %d' % (len(show['controls']), len(ctl)))
for o, r in ctl:
    c = [c for c in show['controls'] if same(o, c['original']) and same(r, c['reply'])]
    if len(c) != 1:
        fail.append('control %s not listed once' % o)
        continue
    c = c[0]
    if c['helper'] != helper or not c['nat'] or c['reply']['dst'] != nat:
        fail.append('control %s: helper %s nat %s reply %s' %
                    (o, c['helper'], c['nat'], c['reply']))
    if show['accounting'] and c['counters']['original_packets'] == 0:
        fail.append('control %s: no packets counted' % o)
    mine = [g for g in gre if o['src'] in (g[0]['src'], g[0]['dst'], g[1]['src'], g[1]['dst'])]
    if not mine:
        fail.append('conntrack has no GRE for %s' % o['src'])
    if len(c['gre']) != len(mine):
        fail.append('control %s: %d GRE entries, conntrack %d' % (o, len(c['gre']), len(mine)))
    for go, gr in mine:
        if not any(same(go, g['original']) and same(gr, g['reply']) for g in c['gre']):
            fail.append('control %s: GRE %s / %s missing' % (o, go, gr))
    for g in c['gre']:
        ends = (g['original']['src'], g['original']['dst'], g['reply']['src'], g['reply']['dst'])
        if nat not in ends or not g['nat']:
            fail.append('GRE %s not behind %s' % (g, nat))
        if show['accounting'] and g['counters']['original_packets'] == 0:
            fail.append('GRE %s: no packets counted' % g)
    want_exp = per_control if exp_per_control is None else exp_per_control
    if per_control is not None and len(c['gre']) != per_control:
        fail.append('control %s: %d GRE entries, not %d' % (o, len(c['gre']), per_control))
    if want_exp not in (None, 'any') and len(c['expectations']) != int(want_exp):
        fail.append('control %s: %d expectations, not %s' %
                    (o, len(c['expectations']), want_exp))
    for x in c['expectations']:
        if x.get('helper', helper) != helper or x['protocol'] != 47:
            fail.append('control %s: expectation %s' % (o, x))
    want = [e for e, m in exp if same(m, o)]
    got = [x['tuple'] for x in c['expectations']]
    if len(want) != len(got) or not all(any(same(e, g) for g in got) for e in want):
        fail.append('control %s: expectations %s, conntrack %s' % (o, got, want))
if sum(len(c['expectations']) for c in show['controls']) != len(exp) or \
        (not exp and exp_per_control != 'any'):
    fail.append('%d expectations in conntrack, show ties %d to controls' %
                (len(exp), sum(len(c['expectations']) for c in show['controls'])))
for cl in clients:
    if not any(c['original']['src'] == cl for c in show['controls']):
        fail.append('client %s has no control connection' % cl)
if not show['accounting']:
    fail.append('accounting was switched on but show says off')
if show['other_gre']:
    fail.append('GRE tied to no control connection: %s' % show['other_gre'])
if kernel:
    want = {}
    for line in open(kernel):
        name, value = line.split()
        want[name] = int(value)
    if show['kernel_counters'] != want:
        fail.append('kernel_counters %s, /proc/net/nf_pptp_ng %s' % (show['kernel_counters'], want))
for f in fail:
    print('show_check: ' + f, file=sys.stderr)
sys.exit(1 if fail else 0)
