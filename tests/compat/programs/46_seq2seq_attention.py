"""Sequence to sequence with attention: a GRU encoder over embedded source tokens and a GRU
decoder with Bahdanau (additive) attention, trained with teacher forcing and NLLLoss; greedy
decoding with topk, attention weights returned.
Modelled on pytorch/tutorials intermediate_source/seq2seq_translation_tutorial.py. Changed: a
made-up copy-and-reverse task over 8 tokens instead of the French-English data, 30 steps."""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from _sync import sync
from torch import optim

random.seed(1)
SOS_token, EOS_token = 0, 1
MAX_LENGTH = 6
n_words = 10


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.0):
        super(EncoderRNN, self).__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super(BahdanauAttention, self).__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.0):
        super(AttnDecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        attentions = []
        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs)
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        output = self.out(output)
        return output, hidden, attn_weights


def make_pair():
    n = random.randint(2, MAX_LENGTH - 1)
    src = [random.randint(2, n_words - 1) for _ in range(n)]
    return src + [EOS_token], list(reversed(src)) + [EOS_token]


pairs = [make_pair() for _ in range(64)]
input_ids = torch.zeros((64, MAX_LENGTH), dtype=torch.long)
target_ids = torch.zeros((64, MAX_LENGTH), dtype=torch.long)
for idx, (inp, tgt) in enumerate(pairs):
    input_ids[idx, :len(inp)] = torch.tensor(inp)
    target_ids[idx, :len(tgt)] = torch.tensor(tgt)
print(input_ids[:2], target_ids[:2])

hidden_size = 16
encoder = sync(EncoderRNN(n_words, hidden_size))
decoder = sync(AttnDecoderRNN(hidden_size, n_words))
encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.01)
decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.01)
criterion = nn.NLLLoss()
for step in range(30):
    batch = slice((step * 16) % 64, (step * 16) % 64 + 16)
    input_tensor, target_tensor = input_ids[batch], target_ids[batch]
    encoder_optimizer.zero_grad()
    decoder_optimizer.zero_grad()
    encoder_outputs, encoder_hidden = encoder(input_tensor)
    decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
    loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1))
    loss.backward()
    encoder_optimizer.step()
    decoder_optimizer.step()
    if step % 10 == 9:
        print(f'step {step + 1} loss {loss.item():.4f}')

with torch.no_grad():
    encoder_outputs, encoder_hidden = encoder(input_ids[:3])
    decoder_outputs, decoder_hidden, decoder_attn = decoder(encoder_outputs, encoder_hidden)
    _, topi = decoder_outputs.topk(1)
    decoded_ids = topi.squeeze()
print(decoded_ids)
print(decoder_attn.shape, decoder_attn[0, 0])
