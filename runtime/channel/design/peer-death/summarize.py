import json, sys, glob, os
for f in sorted(g for g in glob.glob('results/result_*.json') if 'secure-' not in g):
    R = json.load(open(f)); print('==', os.path.basename(f), R.get('ua', R.get('node', ''))[:110])
    if 'isSecureContext' in R: print('  secure', R['isSecureContext'], 'COI', R['crossOriginIsolated'], 'main locks', R['mainLocks'], 'waitAsync', R['mainWaitAsync'], 'MessagePort.onclose', R['messagePortOnclose'], 'worker', R['workerInfo'])
    for k, v in R.items():
        if not isinstance(v, list): continue
        keys = [x for x in v[0].keys() if x != 'delay']
        delays = [x.get('delay') for x in v]
        summ = {kk: sorted({json.dumps(x.get(kk)) for x in v}) for kk in keys}
        summ = {kk: (vv[0] if len(vv) == 1 else vv) for kk, vv in summ.items()}
        print(f'  {k:45s} delay={delays} {summ}')
