"""Regenerates fixtures/bleu-reference.json: BLEU reference values for test/runtime/metrics.

corpus: sacreBLEU 2.x, BLEU(tokenize='none') with its defaults (smooth_method='exp',
effective_order=False, max_ngram_order=4 unless a case says otherwise), one reference per segment.
d2l: the seed's (d2l's) `bleu(pred_seq, label_seq, k)`, copied below.

Run: python3 test/runtime/metrics/bleu_reference.py > test/runtime/metrics/fixtures/bleu-reference.json
(needs the sacrebleu package; CI does not run this, it reads the committed JSON).
"""
import collections
import json
import math
import random

import sacrebleu
from sacrebleu.metrics import BLEU


def d2l_bleu(pred_seq, label_seq, k):
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, min(k, len_pred) + 1):
        num_matches, label_subs = 0, collections.defaultdict(int)
        for i in range(len_label - n + 1):
            label_subs[' '.join(label_tokens[i: i + n])] += 1
        for i in range(len_pred - n + 1):
            if label_subs[' '.join(pred_tokens[i: i + n])] > 0:
                num_matches += 1
                label_subs[' '.join(pred_tokens[i: i + n])] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


def random_corpus(seed, lines):
    rng = random.Random(seed)
    words = 'the a cat dog sat on mat and ran away il est je suis chez moi .'.split()
    hyps, refs = [], []
    for _ in range(lines):
        ref = [rng.choice(words) for _ in range(rng.randint(1, 12))]
        hyp = [w if rng.random() < 0.7 else rng.choice(words) for w in ref]
        if rng.random() < 0.3:
            hyp = hyp[: rng.randint(1, len(hyp))]
        if rng.random() < 0.2:
            hyp = hyp + [rng.choice(words) for _ in range(rng.randint(1, 3))]
        hyps.append(' '.join(hyp))
        refs.append(' '.join(ref))
    return hyps, refs


CORPUS_CASES = [
    ('perfect match', ['il est riche .', 'the cat sat on the mat'], ['il est riche .', 'the cat sat on the mat'], 4),
    ('seed examples as a corpus', ['il est riche .', 'je suis en retard ?'], ['il est calme .', 'je suis chez moi .'], 4),
    ('no 4-gram match: exp smoothing', ['the cat sat on a mat', 'a dog ran'], ['the cat sat on the mat', 'the dog ran away'], 4),
    ('two orders without match', ['the cat the dog the mat'], ['the dog on the cat on the mat'], 4),
    ('every hypothesis shorter than 4', ['il est', 'a cat .'], ['il est calme .', 'a cat sat .'], 4),
    ('no match at all', ['x y z'], ['a b c d'], 4),
    ('clipped repeats', ['the the the the the the the'], ['the cat is on the mat'], 4),
    ('hypothesis longer than reference', ['the cat sat on the mat today and tomorrow'], ['the cat sat on the mat'], 4),
    ('empty hypothesis line', ['', 'the cat sat on the mat'], ['a b', 'the cat sat on the mat'], 4),
    ('max order 2', ['il est riche .', 'je suis en retard ?'], ['il est calme .', 'je suis chez moi .'], 2),
    ('max order 6', ['the cat sat on the mat and ran away', 'a dog'], ['the cat sat on the mat and ran off', 'a dog'], 6),
    ('extra whitespace', ['  il   est riche .  ', 'je\tsuis en retard ?'], ['il est calme .', 'je suis chez moi .'], 4),
]
seeded = random_corpus(7, 60)
CORPUS_CASES.append(('random corpus, 60 lines', seeded[0], seeded[1], 4))
seeded2 = random_corpus(11, 25)
CORPUS_CASES.append(('random corpus, 25 lines, order 3', seeded2[0], seeded2[1], 3))

D2L_CASES = [
    ('il est riche .', 'il est calme .', 2),
    ('je suis en retard ?', 'je suis chez moi .', 2),
    ('il est riche .', 'il est calme .', 4),
    ('go .', 'va !', 2),
    ('i lost .', "j'ai perdu .", 2),
    ("he's calm .", 'il est calme .', 2),
    ("i'm home .", 'je suis chez moi .', 2),
    ('je suis chez moi .', 'je suis chez moi .', 4),
    ('chez', 'je suis chez moi .', 3),
    ('the the the the', 'the cat the mat', 3),
    ('a b c d e f', 'a b c', 2),
]
D2L_CASES += [(h, r, 2) for h, r in zip(seeded[0][:20], seeded[1][:20])]


def corpus_case(name, hyps, refs, max_n):
    score = BLEU(tokenize='none', max_ngram_order=max_n).corpus_score(hyps, [refs])
    return {
        'name': name, 'hyps': hyps, 'refs': refs, 'maxN': max_n,
        'bleu': score.score, 'precisions': score.precisions, 'bp': score.bp,
        'sys_len': score.sys_len, 'ref_len': score.ref_len, 'counts': score.counts, 'totals': score.totals,
    }


print(json.dumps({
    'generator': f'test/runtime/metrics/bleu_reference.py with sacrebleu {sacrebleu.__version__}',
    'corpus': [corpus_case(*c) for c in CORPUS_CASES],
    'd2l': [{'hyp': h, 'ref': r, 'k': k, 'score': d2l_bleu(h, r, k)} for h, r, k in D2L_CASES],
}, indent=1))
