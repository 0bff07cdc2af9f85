"""One training step of a small GPT-style language model: token and position embeddings, two
pre-norm blocks of causal multi-head self-attention and a GELU MLP
(``nn.TransformerEncoderLayer`` with ``norm_first``), a final layer norm and a linear head
over a 256-token vocabulary; cross-entropy on next-token targets, backward and an AdamW
update. Batch 16 of 64-token sequences, d_model 128, 4 heads."""

KEY = "transformer"
NAME = "GPT-style transformer step (vocab 256, seq 64, d 128, 4 heads, 2 layers, batch 16)"
TARGET = 2.0
OPS_PER_STEP = 1  # one whole training step

VOCAB_SIZE = 256
SEQUENCE_LENGTH = 64
D_MODEL = 128
HEADS = 4
LAYERS = 2
BATCH_SIZE = 16


def build(lib):
    """(model, tokens): the model after ``manual_seed(0)`` and a batch of ``SEQUENCE_LENGTH +
    1`` random tokens per row (inputs are all but the last, targets all but the first)."""
    nn = lib.nn

    class TinyGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding = nn.Embedding(VOCAB_SIZE, D_MODEL)
            self.position_embedding = nn.Embedding(SEQUENCE_LENGTH, D_MODEL)
            block = nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=4 * D_MODEL,
                                               dropout=0.0, activation="gelu",
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(block, LAYERS, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(D_MODEL)
            self.head = nn.Linear(D_MODEL, VOCAB_SIZE)
            self.register_buffer("causal_mask",
                                 nn.Transformer.generate_square_subsequent_mask(SEQUENCE_LENGTH))
            self.register_buffer("positions", lib.arange(SEQUENCE_LENGTH))

        def forward(self, tokens):
            hidden = self.token_embedding(tokens) + self.position_embedding(self.positions)
            hidden = self.blocks(hidden, mask=self.causal_mask, is_causal=True)
            return self.head(self.norm(hidden))

    lib.manual_seed(0)
    model = TinyGPT()
    tokens = lib.randint(0, VOCAB_SIZE, (BATCH_SIZE, SEQUENCE_LENGTH + 1))
    return model, tokens


def loss_of(lib, model, tokens):
    """Mean cross-entropy of predicting each next token."""
    logits = model(tokens[:, :-1])
    return lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB_SIZE),
                                           tokens[:, 1:].reshape(-1))


def make_step(lib):
    model, tokens = build(lib)
    optimizer = lib.optim.AdamW(model.parameters(), lr=3e-4)

    def step():
        optimizer.zero_grad()
        loss = loss_of(lib, model, tokens)
        loss.backward()
        optimizer.step()
        return loss

    return step
