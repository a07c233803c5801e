#!/usr/bin/env python3
"""scikit-learn peers for MBTI on the app's own cross-validation folds.

What a user would write in ten lines of scikit-learn, scored on exactly the
folds `mbti train --cv 5` used, on the same people with the same cleaned posts:
TF-IDF (word 1-2-grams; word 1-2-grams plus char_wb 3-5-grams) and logistic
regression, one per axis, every training label kept (compare with
`mbti train --cv 5 --missing-rate 0 --compare`).

    node apps/mbti/examples/export-people.mjs ../shared/datasets/mbti/mbti_sample.csv /tmp/people.jsonl
    (cd apps/mbti && npx --no-install mbti train --data ../../../shared/datasets/mbti/mbti_sample.csv \
        --cv 5 --missing-rate 0 --compare --no-dashboard --out /tmp/mbti-cv)
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/mbti_peers.py /tmp/people.jsonl /tmp/mbti-cv/cv.json bench/results/mbti-peers.json

Never part of npm test; needs python3-sklearn.
"""
import json
import os
import statistics
import sys
import tempfile

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

AXES = ["IE", "NS", "TF", "JP"]
# 1 = I, N, T, J: the app's labels.
POSITIVE = "INTJ"


def labels(mbti_type):
    return [1 if mbti_type[i] == POSITIVE[i] else 0 for i in range(4)]


def word_features():
    return [TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)]


def word_and_char_features():
    return word_features() + [TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True, max_features=200_000)]


PEERS = {
    "sklearn TF-IDF word 1-2-grams + LR": word_features,
    "sklearn TF-IDF word 1-2 + char 3-5-grams + LR": word_and_char_features,
}


def main():
    people_path, cv_path, out_path = sys.argv[1:4]
    with open(people_path) as f:
        people = [json.loads(line) for line in f]
    with open(cv_path) as f:
        cv = json.load(f)
    texts = ["\n".join(p["posts"]) for p in people]
    y = [labels(p["type"]) for p in people]
    folds = cv["heldOut"]
    results = {}
    for name, make in PEERS.items():
        per_fold = []
        for held in folds:
            held_set = set(held)
            train = [r for fold in folds for r in fold if r not in held_set]
            vectorizers = make()
            x_train = hstack([v.fit_transform([texts[r] for r in train]) for v in vectorizers]).tocsr()
            x_held = hstack([v.transform([texts[r] for r in held]) for v in vectorizers]).tocsr()
            aucs = []
            for t in range(4):
                model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
                model.fit(x_train, [y[r][t] for r in train])
                aucs.append(roc_auc_score([y[r][t] for r in held], model.predict_proba(x_held)[:, 1]))
            per_fold.append(aucs)
            print(f"{name}: fold {len(per_fold)}/{len(folds)} mean ROC-AUC {statistics.mean(aucs):.3f}", file=sys.stderr)
        summary = {}
        for t, axis in enumerate(AXES + ["mean"]):
            values = [statistics.mean(f) if axis == "mean" else f[t] for f in per_fold]
            summary[axis] = {"mean": statistics.mean(values), "sd": statistics.stdev(values)}
        results[name] = {"folds": per_fold, "summary": summary}
    report = {"people": len(people), "folds": len(folds), "cv": os.path.abspath(cv_path), "peers": results}
    tmp = tempfile.NamedTemporaryFile("w", dir=os.path.dirname(os.path.abspath(out_path)), delete=False, suffix=".partial")
    json.dump(report, tmp, indent=2)
    tmp.close()
    os.replace(tmp.name, out_path)
    print("| ROC-AUC (5-fold CV) | " + " | ".join(AXES) + " | mean |")
    print("|---|" + "---:|" * 5)
    for name, r in results.items():
        s = r["summary"]
        print(f"| {name} | " + " | ".join(f"{s[a]['mean']:.3f}" for a in AXES) + f" | {s['mean']['mean']:.3f} ± {s['mean']['sd']:.3f} |")


if __name__ == "__main__":
    main()
