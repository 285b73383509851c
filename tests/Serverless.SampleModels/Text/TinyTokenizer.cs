using System.Text.Json.Nodes;

namespace Serverless.SampleModels.Text;

/// <summary>
/// A byte-level BPE tokenizer of our own in Hugging Face's tokenizer.json format (GPT-2's scheme, which ONNX Runtime
/// GenAI's tokenizer reads): the 256 bytes, a few dozen merges of common English pairs, and three special tokens for
/// a ChatML-style chat template. Any text encodes (bytes are the fallback); about 330 tokens in all.
/// </summary>
public sealed class TinyTokenizer
{
    public const string EndOfText = "<|endoftext|>";
    public const string MessageStart = "<|im_start|>";
    public const string MessageEnd = "<|im_end|>";

    /// <summary>
    /// ChatML: each message framed by its role. Roles other than system, user and assistant are refused by the template
    /// itself, as real models' templates do.
    /// </summary>
    public const string ChatTemplate =
        "{% for message in messages %}" +
        "{% if message['role'] not in ['system', 'user', 'assistant'] %}{{ raise_exception('unknown role: ' + message['role']) }}{% endif %}" +
        "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}" +
        "{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    // Pairs merged in this order (rank), written as plain text: ' ' is a space.
    private static readonly (string Left, string Right)[] Merges =
    [
        (" ", "t"), ("h", "e"), ("i", "n"), ("e", "r"), ("a", "n"), (" ", "a"), ("o", "n"), ("r", "e"),
        (" t", "he"), (" ", "s"), ("e", "d"), ("i", "s"), ("o", "r"), (" ", "w"), ("e", "s"), ("a", "t"),
        ("e", "n"), (" ", "o"), ("i", "t"), (" ", "c"), (" ", "b"), ("l", "l"), ("o", "u"), ("in", "g"),
        (" ", "m"), (" ", "h"), (" ", "i"), (" ", "f"), (" ", "d"), (" ", "p"), (" ", "l"), (" ", "n"),
        (" ", "r"), (" ", "e"), (" ", "g"), ("a", "r"), ("e", "l"), ("s", "t"), ("n", "d"), (" a", "nd"),
        (" ", "y"), (" y", "ou"), (" i", "s"), ("l", "o"), (" w", "or"), ("l", "d"), (" wor", "ld"), ("H", "e"),
        ("He", "ll"), ("Hell", "o"), (" ", "S"), (" ", "T"), (" ", "H"), (" ", "W"), (" ", "I"), (" ", "A"),
        ("o", "w"), (" h", "ow"), ("a", "re"), (" ", "are"), ("v", "er"), (" s", "er"), (" ser", "ver"), ("l", "es"),
        (" server", "les"), (" serverles", "s"), (" t", "o"), (" o", "f"), (" i", "n"), ("\n", "\n"),
    ];

    private readonly List<string> _vocabulary;

    public TinyTokenizer()
    {
        _vocabulary = [.. Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.Of((byte)b).ToString())];
        foreach (var (left, right) in Merges)
        {
            var merged = ByteLevelAlphabet.Of(left + right);
            if (!_vocabulary.Contains(ByteLevelAlphabet.Of(left)) || !_vocabulary.Contains(ByteLevelAlphabet.Of(right)) || _vocabulary.Contains(merged))
            {
                throw new InvalidOperationException($"merge '{left}' + '{right}' needs both parts and a new token");
            }

            _vocabulary.Add(merged);
        }

        EndOfTextId = _vocabulary.Count;
        MessageStartId = EndOfTextId + 1;
        MessageEndId = EndOfTextId + 2;
    }

    public int EndOfTextId { get; }

    public int MessageStartId { get; }

    /// <summary>What a chat reply ends with: the end-of-sequence token.</summary>
    public int MessageEndId { get; }

    public int VocabSize => MessageEndId + 1;

    /// <summary>
    /// A logit bias that keeps a random decoder's output printable: bytes other than printable ASCII and a newline
    /// (control characters, and the pieces of UTF-8 sequences, which alone decode to nothing) get -20, the rest 0.
    /// </summary>
    public float[] PrintableBias()
    {
        var bias = new float[VocabSize];
        for (var b = 0; b < 256; b++)
        {
            bias[b] = b is >= 0x20 and < 0x7F or '\n' ? 0f : -20f;
        }

        return bias;
    }

    /// <summary>tokenizer.json.</summary>
    public JsonObject TokenizerJson()
    {
        var vocab = new JsonObject();
        for (var id = 0; id < _vocabulary.Count; id++)
        {
            vocab[_vocabulary[id]] = id;
        }

        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray([.. Specials().Select(s => (JsonNode)AddedToken(s.Id, s.Content))]),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = byteLevel.DeepClone(),
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = "",
                ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray([.. Merges.Select(m => (JsonNode)$"{ByteLevelAlphabet.Of(m.Left)} {ByteLevelAlphabet.Of(m.Right)}")]),
            },
        };
    }

    /// <summary>tokenizer_config.json: the tokenizer's class, its special tokens and the chat template.</summary>
    public JsonObject TokenizerConfigJson(int contextLength)
    {
        var decoder = new JsonObject();
        foreach (var (id, content) in Specials())
        {
            var token = AddedToken(id, content);
            token.Remove("id");
            decoder[id.ToString(System.Globalization.CultureInfo.InvariantCulture)] = token;
        }

        return new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer",
            ["add_bos_token"] = false,
            ["add_prefix_space"] = false,
            ["bos_token"] = EndOfText,
            ["eos_token"] = MessageEnd,
            ["pad_token"] = EndOfText,
            ["unk_token"] = EndOfText,
            ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = contextLength,
            ["added_tokens_decoder"] = decoder,
            ["chat_template"] = ChatTemplate,
        };
    }

    private IEnumerable<(int Id, string Content)> Specials() =>
        [(EndOfTextId, EndOfText), (MessageStartId, MessageStart), (MessageEndId, MessageEnd)];

    private static JsonObject AddedToken(int id, string content) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = false,
        ["rstrip"] = false,
        ["normalized"] = false,
        ["special"] = true,
    };
}
