"""Write names_train.csv.gz and names_test.csv.gz: the surname table of lesson 13.

An offline stand-in for the course's surname files, with their shape: `name,country` rows
without a header, 18 countries, ASCII names, 13,374 training and 6,700 test rows, and the
real table's skew (Russian nearly half the rows, Vietnamese under 0.4%). The names are
made up here: each country has its own syllables, clusters and endings (Polish -wski,
Greek -opoulos, Japanese -moto ...), drawn by a seeded generator, so a classifier can
learn them; the English, Scottish and Irish names share stems and the Chinese, Korean and
Vietnamese ones are short syllables alike, and a share of each country's names follows a
neighbour's patterns, so, as in the real table, not every name can be told apart. Like
the real table, the Arabic names are few names repeated many times.

Deterministic: only random.Random(seed).random() is used (stable across Python versions),
and the gzip files carry no timestamp, so the bytes are the same on every run.

    python make_names.py [OUT_DIR]     (default: the directory of this file)
"""

import csv
import gzip
import io
import os
import random
import sys

SEED = 20240613

# rows per country in the real table (20,074 in all); a third of each goes to the test file
COUNTS = {
    "Arabic": 2000,
    "Chinese": 268,
    "Czech": 519,
    "Dutch": 297,
    "English": 3668,
    "French": 277,
    "German": 724,
    "Greek": 203,
    "Irish": 232,
    "Italian": 709,
    "Japanese": 991,
    "Korean": 94,
    "Polish": 139,
    "Portuguese": 74,
    "Russian": 9408,
    "Scottish": 100,
    "Spanish": 298,
    "Vietnamese": 73,
}
TEST_ROWS = 6700
ARABIC_DISTINCT = 108  # the real table's Arabic rows repeat about a hundred names

# As in the real table, some names of a country look like another's (families move,
# spellings travel): this share of each country's names is drawn from a neighbour's
# patterns, which caps what a classifier can reach near the course's accuracy.
BORROWED = 0.14
NEIGHBOURS = {
    "Chinese": ["Korean", "Vietnamese"],
    "Czech": ["Polish", "German", "Russian"],
    "Dutch": ["German", "English"],
    "English": ["Scottish", "Irish", "German", "French"],
    "French": ["English", "Italian", "German"],
    "German": ["Dutch", "Czech", "English"],
    "Greek": ["Italian", "Russian"],
    "Irish": ["English", "Scottish"],
    "Italian": ["Spanish", "Portuguese"],
    "Japanese": ["Chinese", "Korean"],
    "Korean": ["Chinese", "Vietnamese"],
    "Polish": ["Czech", "Russian"],
    "Portuguese": ["Spanish", "Italian"],
    "Russian": ["Polish", "Czech", "Greek", "English", "German"],
    "Scottish": ["English", "Irish"],
    "Spanish": ["Portuguese", "Italian"],
    "Vietnamese": ["Chinese", "Korean"],
}

# Each country: slots of space-separated options, and forms (sequences of slots) to draw a
# name from (a token that is no slot is itself); repeating a form or an option makes it more
# likely. "^" capitalises the next
# letter (O'^brien, Mc^kay); the first letter is always capitalised.
_ENGLISH_STEMS = (
    "ash brad brook clark cook cart dal ful gard hard harr haw hol kent lang "
    "mar mil nor pack park ram red rob shel stan thorn wal whit wood win bar ches"
)
SPEC = {
    "Arabic": {
        "c": "b d f gh h k kh m n q r s sh t z j",
        "v": "a a a ou i ee aa",
        "end": "ad ar ah im ir oud ib",
        "forms": ["c v c c end", "c v c end", "c v c c v", "c v c v c", "c v c c v c"],
    },
    "Chinese": {
        "i": "zh ch sh x q j l w h g k m f y d t z c s b p n r",
        "f": "ang eng ong ao ai ei iu ui an en in un ia ie uo ou iang iao uan ing u a e i",
        "forms": ["i f", "i f", "i f", "f"],
    },
    "Czech": {
        "c": "b d h ch j k l m n p r s t v z",
        "cc": "vl hr kr str zd sk br dv pr sv sm cv tr",
        "v": "a e i o u y a o e",
        "end": "ek ak ka sky ny cek ik ec ar al ata ik ek",
        "forms": ["cc v c end", "c v c end", "c v cc end", "c v c v c end", "cc v c v", "c v end"],
    },
    "Dutch": {
        "pre": "van vander de ver",
        "c": "b d h k l m n p r s t v w z g",
        "v": "aa ee oo ij ui a e o ie ou",
        "end": "ema sma stra huis dijk hout veld kamp broek ers ink ma en ert",
        "forms": ["c v c end", "c v end", "pre ^ c v c end", "c v c v c end", "c v c"],
    },
    "English": {
        "stem": _ENGLISH_STEMS,
        "end": "son ton ley er well ford wood ham by field ridge worth s ing ington ers man",
        "forms": ["stem end", "stem end", "stem er", "stem s", "stem end end"],
    },
    "French": {
        "pre": "le de du la",
        "c": "b ch d f g j l m n p r s t v",
        "v": "a e i o ou au eau ai",
        "end": "eau ault ier ois ette eux ard ot in on elle et ac",
        "forms": ["c v c end", "c v end", "pre ^ c v c end", "c v c v end"],
    },
    "German": {
        "c": "b d f g h k l m n r s w z sch",
        "cc": "sch schw kr br fr st tr kl gr pf",
        "v": "a e i o u ei ie au a e",
        "end": "mann berg er hardt stein feld bach hof ner lich ler tz ck inger",
        "forms": ["cc v c end", "c v end", "c v c end", "cc v end", "cc v c"],
    },
    "Greek": {
        "c": "p k t th ch ph m n l r s v d g",
        "v": "a e i o ou y",
        "end": "opoulos os is ou akis idis as ides ellis atos iou",
        "forms": ["c v c v end", "c v c v c v end", "c v end", "c v c end"],
    },
    "Irish": {
        "pre": "o'^ mac mc^ o'^",
        "stem": _ENGLISH_STEMS + " don ken brenn call dunn kean sull flan moll",
        "end": "an in ey ahan agh ane ally an y igan",
        "forms": ["pre stem end", "stem end", "stem end", "pre stem"],
    },
    "Italian": {
        "c": "b c d f g l m n p r s t v z",
        "cc": "cc ll tt zz gn gli rr ss nn",
        "v": "a e i o u",
        "end": "i o ini etti elli one ucci ano ese ino i o",
        "forms": ["c v cc end", "c v c v cc end", "c v c end", "c v cc v end", "de ^ c v cc end"],
        "de": "de di",
    },
    "Japanese": {
        "s": (
            "ka ki ku ke ko sa shi su se so ta chi tsu te to na ni no ha hi fu ho ma mi mu "
            "mo ya yo ra ri ru ro wa ga go za da do ba be i o a u e"
        ),
        "end": "moto mura kawa yama da ta shita no uchi zaki hara saki gawa ki be ra",
        "forms": ["s s end", "s end", "s s s", "s s", "s s s end", "s s n"],
        "n": "n",
    },
    "Korean": {
        "c": "k ch j p s h y m n b kw hw ry ch g",
        "v": "a o u i eo oo ae wa ye yu yo oi",
        "k": "ng n m k h ng",
        "forms": ["c v k", "c v k", "c v", "v k"],
    },
    "Polish": {
        "c": "b d g k l m n p r s t w z",
        "cc": "sz cz rz w ch dz prz kr st",
        "v": "a e i o u y o a",
        "end": "ski wski cki czyk iak ek ewicz ak owski",
        "forms": ["cc v c end", "c v c end", "c v cc end", "c v c v end"],
    },
    "Portuguese": {
        "c": "b c d f g l m n p r s t v",
        "cc": "lh nh rr ss x",
        "v": "a e i o u ei ou",
        "end": "eira es ao inho ado elho ira os ares edo",
        "forms": ["c v c end", "c v cc end", "c v c v end", "v c end"],
    },
    "Russian": {
        "c": "b v g d zh z k l m n p r s t f kh ts ch sh y",
        "cc": "zh kh ts ch sh shch str kr gr tv sv bl pl dr",
        "v": "a o e i u y ya yu",
        "end": "ov ev in sky enko ovich ovsky kin shin ikov yev chenko anov uk ets",
        "forms": [
            "c v c v c end",
            "cc v c end",
            "c v c end",
            "c v cc v c end",
            "cc v c v end",
            "c v c v end",
        ],
    },
    "Scottish": {
        "pre": "mac mc^ mac",
        "stem": _ENGLISH_STEMS + " don ken gord fras stew murr camp",
        "end": "son ie ay ton an ell er",
        "forms": ["pre stem end", "pre stem", "stem end", "stem ie"],
    },
    "Spanish": {
        "c": "b c d f g j l m n p r s t v",
        "cc": "ll rr qu ch",
        "v": "a e i o u ia ue",
        "end": "ez es ero ado era ia al ar on illo ez ez",
        "forms": ["c v c end", "c v c v end", "c v cc end", "v c v c end"],
    },
    "Vietnamese": {
        "c": "ng tr ph th qu nh kh d b l h v ch gi",
        "v": "uye a uo ie ieu oa uy ai ui u o e i y",
        "k": "n ng nh c ch t m",
        "forms": ["c v k", "c v k", "c v", "c v k"],
    },
}


def _pick(rng, options):
    return options[int(rng.random() * len(options))]


def _name(rng, spec):
    slots = {key: value.split(" ") for key, value in spec.items() if key != "forms"}
    form = _pick(rng, spec["forms"]).split(" ")
    text = "".join(_pick(rng, slots.get(slot, [slot])) for slot in form)
    out, upper = [], True
    for ch in text:
        if ch == "^":
            upper = True
            continue
        out.append(ch.upper() if upper else ch)
        upper = False
    return "".join(out)


def rows(seed=SEED):
    """(train rows, test rows): lists of (name, country), each shuffled."""
    rng = random.Random(seed)
    per_country = {}
    for country, count in COUNTS.items():
        if country == "Arabic":
            drawn = [_name(rng, SPEC[country]) for _ in range(4 * ARABIC_DISTINCT)]
            distinct = list(dict.fromkeys(drawn))[:ARABIC_DISTINCT]
            # a few names are very common, most are rare (rng.random() ** 3 is skewed to 0)
            names = [distinct[int(rng.random() ** 3 * len(distinct))] for _ in range(count)]
        else:
            names = []
            for _ in range(count):
                borrowed = rng.random() < BORROWED
                origin = _pick(rng, NEIGHBOURS[country]) if borrowed else country
                names.append(_name(rng, SPEC[origin]))
        per_country[country] = names
    # a third of each country to the test set, rounded so the totals are the real ones
    test_share = {c: n // 3 for c, n in COUNTS.items()}
    extra = TEST_ROWS - sum(test_share.values())
    for country in sorted(COUNTS, key=lambda c: -COUNTS[c])[:extra]:
        test_share[country] += 1
    train, test = [], []
    for country, names in per_country.items():
        k = test_share[country]
        test += [(name, country) for name in names[:k]]
        train += [(name, country) for name in names[k:]]
    for part in (train, test):
        for i in range(len(part) - 1, 0, -1):  # Fisher-Yates on rng.random() alone
            j = int(rng.random() * (i + 1))
            part[i], part[j] = part[j], part[i]
    return train, test


def write(path, table):
    """The rows as CSV, gzip-compressed with no file name or time stamp in the header."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(table)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(text.getvalue().encode("ascii"))


def main(out_dir):
    train, test = rows()
    os.makedirs(out_dir, exist_ok=True)
    write(os.path.join(out_dir, "names_train.csv.gz"), train)
    write(os.path.join(out_dir, "names_test.csv.gz"), test)
    print(f"{len(train)} training and {len(test)} test names written to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
