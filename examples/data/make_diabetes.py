"""Writes diabetes.csv: an offline stand-in for the diabetes table lessons 07 and 08 read.

The course's table has 759 patients, 8 features scaled into [-1, 1] (pregnancies, glucose,
blood pressure, skin thickness, insulin, BMI, pedigree, age) and a 0/1 label in the last
column. This one has the same shape and layout; its rows are synthetic, drawn from a fixed
seed, so every run of this script writes the same file:

    python examples/data/make_diabetes.py [path]
"""

import os
import sys

import numpy as np

ROWS = 759
SEED = 759
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PATH = os.path.join(HERE, "diabetes.csv")


def make_table(rows=ROWS, seed=SEED):
    """A float32 array (rows, 9): 8 features in [-1, 1], then the label (0 or 1)."""
    # RandomState's streams are frozen across NumPy versions, so the table is too.
    rng = np.random.RandomState(seed)
    age = 21 + rng.gamma(2.0, 6.0, rows)
    pregnancies = np.minimum(rng.poisson(np.clip((age - 18) / 8, 0.2, None)), 17)
    glucose = rng.normal(120, 30, rows)
    pressure = rng.normal(70, 12, rows) + 0.15 * (age - 30)
    skin = np.clip(rng.normal(25, 10, rows), 0, 99)
    insulin = np.clip(rng.gamma(1.5, 60, rows) * (glucose / 120), 0, 846)
    bmi = rng.normal(32, 7, rows)
    pedigree = np.clip(rng.gamma(2.0, 0.23, rows), 0.078, 2.42)
    raw = np.stack([pregnancies, glucose, pressure, skin, insulin, bmi, pedigree, age], 1)

    # Risk grows with glucose, BMI, age, pregnancies and pedigree, as in the real data.
    z = (
        0.035 * (glucose - 120)
        + 0.08 * (bmi - 32)
        + 0.03 * (age - 33)
        + 0.1 * (pregnancies - 3)
        + 0.9 * (pedigree - 0.47)
        + rng.logistic(0, 1, rows)
    )
    # The course's label 1 is the larger class (about 65%), as here.
    label = (z > -1.1).astype(np.float64)

    low, high = raw.min(0), raw.max(0)
    scaled = 2 * (raw - low) / (high - low) - 1
    return np.column_stack([scaled, label]).astype(np.float32)


def write_csv(path=DEFAULT_PATH, rows=ROWS, seed=SEED):
    table = make_table(rows, seed)
    np.savetxt(path, table, fmt=["%.6f"] * 8 + ["%d"], delimiter=",")
    return path


if __name__ == "__main__":
    print("wrote", write_csv(*sys.argv[1:2]))
