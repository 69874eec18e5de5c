"""A tiny character-level GPT, written as a plain PyTorch script: token and position
embeddings, causal self-attention, LayerNorm, an MLP, weight tying; a few AdamW steps on a
short text, then sampling with torch.multinomial.

    python gpt_tiny.py [--steps N] [--sdpa] [--save-init FILE] [--init FILE] [--fixed-random]

--sdpa          attention through F.scaled_dot_product_attention instead of by hand
--save-init F   save the initial weights to F (a NumPy .npz archive of .npy arrays)
--init F        start from the weights in F instead of the seeded initialisation
--fixed-random  draw batch offsets and sampling uniforms from Python's random.Random(1234)
                instead of torch.randint and torch.multinomial (for runs that must not depend
                on the library's random number streams)
"""

import argparse
import math
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TEXT = """\
the cat sat on the mat and the dog sat on the log.
a small bird sang in the tall tree while the sun went down.
the wind blew over the hill and the grass bent low.
we read a book by the fire and the night grew long and still.
"""

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=12)
parser.add_argument("--sdpa", action="store_true")
parser.add_argument("--save-init")
parser.add_argument("--init")
parser.add_argument("--fixed-random", action="store_true")
args = parser.parse_args()

torch.manual_seed(1337)
chars = sorted(set(TEXT))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)
vocab_size, block_size, n_embd, n_head, n_layer, batch_size = len(chars), 16, 32, 4, 2, 8
fixed = random.Random(1234)


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        mask = torch.tril(torch.ones(block_size, block_size))
        self.register_buffer("bias", mask.view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(n_embd, dim=2)
        q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
        k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
        v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
        if args.sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd)
        )

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.blocks = nn.ModuleList([Block() for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            torch.nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None):
        B, T = idx.size()
        pos = torch.arange(0, T, dtype=torch.long)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def get_batch():
    if args.fixed_random:
        ix = torch.tensor([fixed.randrange(len(data) - block_size) for _ in range(batch_size)])
    else:
        ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([data[i : i + block_size] for i in ix])
    y = torch.stack([data[i + 1 : i + block_size + 1] for i in ix])
    return x, y


@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=0.8):
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -block_size:])
        probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
        if args.fixed_random:
            # Inverse CDF at a fixed uniform: the first index whose cumulative sum passes u.
            u = fixed.random()
            cdf = torch.cumsum(probs, dim=-1)
            idx_next = (cdf < u).sum(dim=-1, keepdim=True).clamp(max=vocab_size - 1)
        else:
            idx_next = torch.multinomial(probs, num_samples=1)
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


model = GPT()
if args.save_init:
    np.savez(args.save_init, **{k: v.numpy() for k, v in model.state_dict().items()})
if args.init:
    arrays = np.load(args.init)
    model.load_state_dict({k: torch.tensor(arrays[k]) for k in arrays.files})
print(f"{sum(p.numel() for p in model.parameters())} parameters, vocabulary {vocab_size}")
print(model.blocks[0].attn)

optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
model.train()
for step in range(args.steps):
    xb, yb = get_batch()
    logits, loss = model(xb, yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item()}")

model.eval()
out = generate(model, torch.zeros((1, 1), dtype=torch.long), 40)
print("sample:", repr("".join(chars[i] for i in out[0].tolist())))
