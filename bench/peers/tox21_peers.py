#!/usr/bin/env python3
"""Tox21 quality peers for the `mtl` app, on exactly the split the app used.

Reads the Tox21 CSV (12 task columns, blank = not measured, then `smiles`) and
the app's split.json (0-based data-row indices: train, dev, test), builds
RDKit features and scores classic peers on the test rows:

  feature sets
    ecfp4  Morgan radius 2, 2048 bits (the app's default `--fingerprints morgan`)
    rich   log1p(hashed Morgan radius-2 counts, 2048) + 167 MACCS keys + RDKit
           descriptors (Descriptors._descList); descriptors: non-finite values
           -> training-row median, then (LR and MLP only) standardised on the
           training rows and clipped to [-5, 5]

  peers
    lr   per-task L2 logistic regression, C chosen per task by 5-fold stratified
         inner CV (ROC-AUC) on the training rows from a fixed grid
    rf   per-task random forest, 300 trees, class_weight balanced_subsample
         (--rf-class-weight none to change), n_jobs=2, random_state=0
    mlp  PyTorch masked multi-task MLP d-1000-12, ReLU, dropout 0.25, Adam 1e-3,
         batch 128, masked BCE (mean over labelled entries, no positive
         weights), 40 epochs, the epoch with the best dev mean ROC-AUC is kept

LR and RF train on train+dev rows where the task's label is present (no model
selection uses the test rows; LR's C comes from CV inside those rows). The MLP
trains on the train rows and uses dev only to pick its epoch, as the app does.
Every score is on the test rows where the task's label is present. Means are
unweighted over the 12 tasks.

Run with the system Python (apt: python3-sklearn python3-rdkit python3-torch):
  /usr/bin/python3 bench/peers/tox21_peers.py \
      --data ../shared/datasets/tox21/tox21.csv --split /tmp/tox21-split/split.json
Never part of `npm test`.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import platform
import sys
import time

import numpy as np

LR_GRID = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def read_tox21(path: str, smiles_column: str):
    with open(path, newline='') as f:
        reader = csv.reader(f)
        header = next(reader)
        if smiles_column not in header:
            sys.exit(f'error: {path} has no column {smiles_column!r} (columns: {", ".join(header)})')
        s = header.index(smiles_column)
        tasks = [name for i, name in enumerate(header) if i != s]
        smiles, rows = [], []
        for line_no, row in enumerate(reader, start=2):
            if len(row) != len(header):
                sys.exit(f'error: {path} line {line_no} has {len(row)} fields, the header {len(header)}')
            smiles.append(row[s])
            rows.append([float(row[i]) if row[i].strip() != '' else math.nan for i in range(len(header)) if i != s])
    y = np.array(rows, dtype=np.float64)
    bad = ~np.isnan(y) & (y != 0) & (y != 1)
    if bad.any():
        sys.exit(f'error: {int(bad.sum())} labels are neither 0, 1 nor blank')
    return tasks, smiles, y


def read_split(path: str, n_rows: int):
    with open(path) as f:
        split = json.load(f)
    parts = {}
    for name in ('train', 'dev', 'test'):
        if name not in split:
            sys.exit(f'error: {path} has no {name!r} list')
        idx = np.array(split[name], dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
            sys.exit(f'error: {path} {name} has an index outside 0..{n_rows - 1}: is it the split of this CSV?')
        if len(set(idx.tolist())) != idx.size:
            sys.exit(f'error: {path} {name} repeats an index')
        parts[name] = idx
    seen = np.concatenate([parts['train'], parts['dev'], parts['test']])
    if len(set(seen.tolist())) != seen.size:
        sys.exit(f'error: {path}: train, dev and test overlap')
    return parts, n_rows - seen.size


def featurize(smiles: list[str], feature_sets: list[str]):
    from rdkit import Chem, DataStructs, RDLogger
    from rdkit.Chem import AllChem, Descriptors, MACCSkeys

    RDLogger.DisableLog('rdApp.*')
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    invalid = [i for i, m in enumerate(mols) if m is None]
    if invalid:
        sys.exit(f'error: {len(invalid)} SMILES do not parse (data rows {invalid[:10]}...); the app would have skipped them and its indices would not be row numbers')
    n = len(mols)
    out = {}
    if 'ecfp4' in feature_sets or 'rich' in feature_sets:
        bits = np.zeros((n, 2048), dtype=np.float32)
        for i, m in enumerate(mols):
            DataStructs.ConvertToNumpyArray(AllChem.GetMorganFingerprintAsBitVect(m, 2, nBits=2048), bits[i])
        out['ecfp4'] = {'x': bits, 'descriptor_columns': np.zeros(0, dtype=np.int64), 'names': [f'morgan2:{j}' for j in range(2048)]}
    if 'rich' in feature_sets:
        counts = np.zeros((n, 2048), dtype=np.float32)
        for i, m in enumerate(mols):
            for j, c in AllChem.GetHashedMorganFingerprint(m, 2, nBits=2048).GetNonzeroElements().items():
                counts[i, j] = c
        maccs = np.zeros((n, 167), dtype=np.float32)
        for i, m in enumerate(mols):
            DataStructs.ConvertToNumpyArray(MACCSkeys.GenMACCSKeys(m), maccs[i])
        names = [name for name, _ in Descriptors._descList]
        desc = np.full((n, len(names)), np.nan, dtype=np.float64)
        for i, m in enumerate(mols):
            for j, (_, fn) in enumerate(Descriptors._descList):
                try:
                    desc[i, j] = float(fn(m))
                except Exception:  # a descriptor that fails on one molecule is a missing value
                    pass
        non_finite = ~np.isfinite(desc)
        x = np.hstack([np.log1p(counts).astype(np.float64), maccs.astype(np.float64), desc])
        out['rich'] = {
            'x': x,
            'descriptor_columns': np.arange(2048 + 167, x.shape[1]),
            'names': [f'morgan2-counts:{j}' for j in range(2048)] + [f'maccs:{j}' for j in range(167)] + [f'desc:{d}' for d in names],
            'non_finite': {'values': int(non_finite.sum()), 'rows': int(non_finite.any(axis=1).sum()), 'descriptors': sorted({names[j] for j in np.where(non_finite.any(axis=0))[0]})},
        }
    if 'ecfp4' not in feature_sets:
        out.pop('ecfp4', None)
    return out


def prepare(fs: dict, fit_rows: np.ndarray, scale: bool):
    """Copy of the feature matrix with descriptor NaN/inf -> median of fit_rows; optionally standardise and clip descriptors."""
    x = fs['x']
    cols = fs['descriptor_columns']
    if cols.size == 0:
        return x
    x = x.copy()
    d = x[:, cols]
    d[~np.isfinite(d)] = np.nan
    med = np.nanmedian(d[fit_rows], axis=0)
    med = np.where(np.isfinite(med), med, 0.0)
    d = np.where(np.isnan(d), med, d)
    if scale:
        mu = d[fit_rows].mean(axis=0)
        sd = d[fit_rows].std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        d = np.clip((d - mu) / sd, -5.0, 5.0)
    else:
        d = np.clip(d, -1e30, 1e30)  # the forest works in float32
    x[:, cols] = d
    return x.astype(np.float32)


def task_scores(y_true: np.ndarray, score: np.ndarray):
    from sklearn.metrics import average_precision_score, roc_auc_score

    if len(np.unique(y_true)) < 2:
        return None, None
    return float(roc_auc_score(y_true, score)), float(average_precision_score(y_true, score))


def run_lr(x, y, fit_rows, test_rows, tasks, c_arg, seed):
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    per_task = []
    for t, task in enumerate(tasks):
        tr = fit_rows[~np.isnan(y[fit_rows, t])]
        te = test_rows[~np.isnan(y[test_rows, t])]
        if c_arg == 'cv':
            model = LogisticRegressionCV(
                Cs=LR_GRID,
                cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                scoring='roc_auc',
                penalty='l2',
                solver='lbfgs',
                max_iter=5000,
                n_jobs=2,
                refit=True,
            )
        else:
            model = LogisticRegression(C=float(c_arg), penalty='l2', solver='lbfgs', max_iter=5000)
        model.fit(x[tr], y[tr, t].astype(int))
        c = float(model.C_[0]) if c_arg == 'cv' else float(c_arg)
        auc, ap = task_scores(y[te, t], model.predict_proba(x[te])[:, 1])
        per_task.append({'task': task, 'roc_auc': auc, 'pr_auc': ap, 'n_train': int(tr.size), 'n_test': int(te.size), 'test_positives': int(y[te, t].sum()), 'C': c})
        print(f'    lr  {task:<14} C={c:<6g} test ROC-AUC {auc:.3f}', flush=True)
    return per_task


def run_rf(x, y, fit_rows, test_rows, tasks, class_weight):
    from sklearn.ensemble import RandomForestClassifier

    per_task = []
    for t, task in enumerate(tasks):
        tr = fit_rows[~np.isnan(y[fit_rows, t])]
        te = test_rows[~np.isnan(y[test_rows, t])]
        model = RandomForestClassifier(n_estimators=300, class_weight=class_weight, n_jobs=2, random_state=0)
        model.fit(x[tr], y[tr, t].astype(int))
        auc, ap = task_scores(y[te, t], model.predict_proba(x[te])[:, 1])
        per_task.append({'task': task, 'roc_auc': auc, 'pr_auc': ap, 'n_train': int(tr.size), 'n_test': int(te.size), 'test_positives': int(y[te, t].sum())})
        print(f'    rf  {task:<14} test ROC-AUC {auc:.3f}', flush=True)
    return per_task


def mean_auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    aucs = []
    for t in range(y.shape[1]):
        m = ~np.isnan(y[:, t])
        if m.any() and len(np.unique(y[m, t])) == 2:
            aucs.append(roc_auc_score(y[m, t], p[m, t]))
    return float(np.mean(aucs))


def run_mlp(x, y, train_rows, dev_rows, test_rows, tasks, seed, epochs, threads):
    import torch

    torch.manual_seed(seed)
    np_rng = np.random.default_rng(seed)
    torch.set_num_threads(threads)
    d = x.shape[1]
    model = torch.nn.Sequential(torch.nn.Linear(d, 1000), torch.nn.ReLU(), torch.nn.Dropout(0.25), torch.nn.Linear(1000, len(tasks)))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt = torch.from_numpy(np.ascontiguousarray(x[train_rows], dtype=np.float32))
    yt_np = y[train_rows]
    mt = torch.from_numpy((~np.isnan(yt_np)).astype(np.float32))
    yt = torch.from_numpy(np.nan_to_num(yt_np, nan=0.0).astype(np.float32))
    xd = torch.from_numpy(np.ascontiguousarray(x[dev_rows], dtype=np.float32))
    xs = torch.from_numpy(np.ascontiguousarray(x[test_rows], dtype=np.float32))
    bce = torch.nn.BCEWithLogitsLoss(reduction='none')
    best = (-1.0, 0, None)
    curve = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.from_numpy(np_rng.permutation(len(train_rows)))
        for start in range(0, len(order), 128):
            b = order[start : start + 128]
            loss_all = bce(model(xt[b]), yt[b]) * mt[b]
            loss = loss_all.sum() / mt[b].sum().clamp(min=1.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            dev_auc = mean_auc(y[dev_rows], torch.sigmoid(model(xd)).numpy())
        curve.append(round(dev_auc, 4))
        if dev_auc > best[0]:
            best = (dev_auc, epoch, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(xs)).numpy()
    per_task = []
    for t, task in enumerate(tasks):
        m = ~np.isnan(y[test_rows, t])
        auc, ap = task_scores(y[test_rows][m, t], p[m, t])
        per_task.append({'task': task, 'roc_auc': auc, 'pr_auc': ap, 'n_train': int((~np.isnan(y[train_rows, t])).sum()), 'n_test': int(m.sum()), 'test_positives': int(y[test_rows][m, t].sum())})
    print(f'    mlp seed {seed}: best dev mean ROC-AUC {best[0]:.4f} at epoch {best[1]}/{epochs}; test mean ROC-AUC {np.mean([r["roc_auc"] for r in per_task]):.4f}', flush=True)
    return per_task, {'seed': seed, 'best_epoch': best[1], 'best_dev_mean_roc_auc': best[0], 'dev_mean_roc_auc_per_epoch': curve}


def summarize(per_task):
    aucs = [r['roc_auc'] for r in per_task if r['roc_auc'] is not None]
    aps = [r['pr_auc'] for r in per_task if r['pr_auc'] is not None]
    return {'mean_roc_auc': float(np.mean(aucs)), 'mean_pr_auc': float(np.mean(aps)), 'tasks_scored': len(aucs)}


def machine_info():
    cpu = platform.processor() or ''
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return {'cpu': cpu, 'cores': os.cpu_count(), 'platform': platform.platform(), 'python': platform.python_version()}


def versions():
    import numpy
    import sklearn
    from rdkit import rdBase

    v = {'numpy': numpy.__version__, 'sklearn': sklearn.__version__, 'rdkit': rdBase.rdkitVersion}
    try:
        import torch

        v['torch'] = torch.__version__
    except ImportError:
        v['torch'] = None
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='Tox21 CSV: task columns (blank = not measured) and a SMILES column')
    ap.add_argument('--split', required=True, help="the app's split.json (0-based data-row indices: train, dev, test)")
    ap.add_argument('--smiles', default='smiles', help='SMILES column (default smiles)')
    ap.add_argument('--out', default='bench/results/tox21-peers.json', help='result JSON (default bench/results/tox21-peers.json)')
    ap.add_argument('--features', default='ecfp4,rich', help='comma-separated: ecfp4, rich (default both)')
    ap.add_argument('--peers', default='lr,rf,mlp', help='comma-separated: lr, rf, mlp (default all; mlp is skipped when torch is missing)')
    ap.add_argument('--lr-c', default='cv', help=f'cv (default: per task, 5-fold inner CV over {LR_GRID}) or a fixed C')
    ap.add_argument('--rf-class-weight', default='balanced_subsample', choices=['balanced_subsample', 'balanced', 'none'])
    ap.add_argument('--mlp-seeds', default='0,1,2', help='seeds of the MLP runs; the table shows their mean (default 0,1,2)')
    ap.add_argument('--mlp-epochs', type=int, default=40)
    ap.add_argument('--threads', type=int, default=2, help='torch threads (default 2)')
    args = ap.parse_args()

    started = time.time()
    load_start = os.getloadavg()
    feature_sets = [f.strip() for f in args.features.split(',') if f.strip()]
    peers = [p.strip() for p in args.peers.split(',') if p.strip()]
    for f in feature_sets:
        if f not in ('ecfp4', 'rich'):
            sys.exit(f'error: unknown feature set {f!r}')
    for p in peers:
        if p not in ('lr', 'rf', 'mlp'):
            sys.exit(f'error: unknown peer {p!r}')
    if 'mlp' in peers:
        try:
            import torch  # noqa: F401
        except ImportError:
            print('skip: mlp (import torch failed; apt-get install python3-torch)')
            peers.remove('mlp')

    tasks, smiles, y = read_tox21(args.data, args.smiles)
    split, unassigned = read_split(args.split, len(smiles))
    train, dev, test = split['train'], split['dev'], split['test']
    fit = np.concatenate([train, dev])
    print(f'data: {args.data}: {len(smiles)} molecules, {len(tasks)} tasks; split {args.split}: {train.size} train / {dev.size} dev / {test.size} test' + (f', {unassigned} rows in none' if unassigned else ''))

    t0 = time.time()
    features = featurize(smiles, feature_sets)
    widths = ', '.join(f"{k} {v['x'].shape[1]}" for k, v in features.items())
    print(f'features: {widths} columns in {time.time() - t0:.1f} s')

    rf_cw = None if args.rf_class_weight == 'none' else args.rf_class_weight
    mlp_seeds = [int(s) for s in args.mlp_seeds.split(',') if s.strip()]
    results = []
    for fname in feature_sets:
        fs = features[fname]
        for peer in peers:
            print(f'  {fname} / {peer} ...', flush=True)
            t0 = time.time()
            entry = {'features': fname, 'peer': peer}
            if peer == 'lr':
                x = prepare(fs, fit, scale=True)
                entry['per_task'] = run_lr(x, y, fit, test, tasks, args.lr_c, seed=0)
                entry['settings'] = {'C': f'per-task 5-fold stratified inner CV (ROC-AUC) over {LR_GRID}' if args.lr_c == 'cv' else float(args.lr_c), 'penalty': 'l2', 'solver': 'lbfgs', 'class_weight': None, 'trained_on': 'train+dev'}
            elif peer == 'rf':
                x = prepare(fs, fit, scale=False)
                entry['per_task'] = run_rf(x, y, fit, test, tasks, rf_cw)
                entry['settings'] = {'n_estimators': 300, 'class_weight': rf_cw, 'max_features': 'sqrt', 'n_jobs': 2, 'random_state': 0, 'trained_on': 'train+dev'}
            else:
                x = prepare(fs, train, scale=True)
                runs = [run_mlp(x, y, train, dev, test, tasks, seed, args.mlp_epochs, args.threads) for seed in mlp_seeds]
                entry['per_task'] = [
                    {
                        **runs[0][0][t],
                        'roc_auc': float(np.mean([r[0][t]['roc_auc'] for r in runs])),
                        'pr_auc': float(np.mean([r[0][t]['pr_auc'] for r in runs])),
                        'roc_auc_per_seed': [r[0][t]['roc_auc'] for r in runs],
                        'pr_auc_per_seed': [r[0][t]['pr_auc'] for r in runs],
                    }
                    for t in range(len(tasks))
                ]
                entry['runs'] = [{**r[1], **{k: v for k, v in summarize(r[0]).items() if k != 'tasks_scored'}} for r in runs]
                entry['settings'] = {
                    'layers': [x.shape[1], 1000, len(tasks)],
                    'activation': 'relu',
                    'dropout': 0.25,
                    'optimizer': 'Adam lr 1e-3',
                    'batch': 128,
                    'loss': 'masked BCE, mean over labelled entries, no positive weights',
                    'epochs': args.mlp_epochs,
                    'selection': 'best dev mean ROC-AUC epoch',
                    'seeds': mlp_seeds,
                    'torch_threads': args.threads,
                    'trained_on': 'train (dev picks the epoch)',
                    'per_task_values': 'mean over seeds',
                }
            entry.update(summarize(entry['per_task']))
            entry['seconds'] = round(time.time() - t0, 1)
            results.append(entry)
            print(f'  {fname} / {peer}: mean test ROC-AUC {entry["mean_roc_auc"]:.4f}, PR-AUC {entry["mean_pr_auc"]:.4f} ({entry["seconds"]} s)', flush=True)

    # Table: task x (peer, features) test ROC-AUC, then the means.
    cols = [f'{r["peer"]} {r["features"]}' for r in results]
    width = max(12, *(len(c) for c in cols))
    print()
    print('test ROC-AUC per task' + (f' (mlp: mean of seeds {",".join(map(str, mlp_seeds))})' if 'mlp' in peers else ''))
    print(f'| {"task":<14} | {"test n (pos)":>12} | ' + ' | '.join(f'{c:>{width}}' for c in cols) + ' |')
    print(f'|{"-" * 16}|{"-" * 13}:|' + '|'.join('-' * (width + 1) + ':' for _ in cols) + '|')
    for t, task in enumerate(tasks):
        ref = results[0]['per_task'][t] if results else {'n_test': 0, 'test_positives': 0}
        npos = f'{ref["n_test"]} ({ref["test_positives"]})'
        print(f'| {task:<14} | {npos:>12} | ' + ' | '.join(f'{r["per_task"][t]["roc_auc"]:>{width}.3f}' for r in results) + ' |')
    print(f'| {"mean ROC-AUC":<14} | {"":>12} | ' + ' | '.join(f'{r["mean_roc_auc"]:>{width}.3f}' for r in results) + ' |')
    print(f'| {"mean PR-AUC":<14} | {"":>12} | ' + ' | '.join(f'{r["mean_pr_auc"]:>{width}.3f}' for r in results) + ' |')

    report = {
        'suite': 'tox21-peers',
        'command': ' '.join(['/usr/bin/python3'] + sys.argv),
        'data': {'path': args.data, 'sha256': sha256_of(args.data), 'molecules': len(smiles), 'tasks': tasks},
        'split': {'path': args.split, 'sha256': sha256_of(args.split), 'train': int(train.size), 'dev': int(dev.size), 'test': int(test.size), 'unassigned': int(unassigned)},
        'feature_sets': {
            k: {
                'columns': int(v['x'].shape[1]),
                'recipe': 'RDKit Morgan radius 2, 2048 bits (GetMorganFingerprintAsBitVect, no chirality)'
                if k == 'ecfp4'
                else 'log1p(hashed Morgan radius-2 counts, 2048) + 167 MACCS keys + RDKit descriptors (Descriptors._descList); descriptor NaN/inf -> training-row median; for lr and mlp descriptors standardised on training rows and clipped to [-5, 5]',
                **({'descriptors': len(v['descriptor_columns']), 'non_finite_descriptor_values': v['non_finite']} if k == 'rich' else {}),
            }
            for k, v in features.items()
        },
        'means': 'unweighted over tasks; ROC-AUC and PR-AUC (average precision) on the test rows where the task is labelled',
        'results': results,
        'versions': versions(),
        'machine': {**machine_info(), 'load_average_start': [round(v, 2) for v in load_start], 'load_average_end': [round(v, 2) for v in os.getloadavg()]},
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'seconds': round(time.time() - started, 1),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(report, f, indent=2)
        f.write('\n')
    print(f'\nwrote {args.out} ({report["seconds"]} s; load average {report["machine"]["load_average_end"][0]} at the end)')


if __name__ == '__main__':
    main()
