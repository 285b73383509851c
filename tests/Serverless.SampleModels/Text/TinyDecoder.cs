using Serverless.SampleModels.Onnx;

namespace Serverless.SampleModels.Text;

/// <summary>
/// A GPT-style decoder with random weights in standard ONNX operators only, with the inputs and outputs ONNX Runtime
/// GenAI feeds a decoder (its defaults, so genai_config.json need not rename them): <c>input_ids</c>,
/// <c>attention_mask</c>, <c>position_ids</c> and <c>past_key_values.%d.key/value</c> in; <c>logits</c> and
/// <c>present.%d.key/value</c> out. Each layer is pre-norm attention (its keys and values appended to the past ones:
/// the KV cache) and a SiLU MLP; the LM head is the token embedding transposed.
/// </summary>
/// <remarks>
/// Masking is computed from the inputs alone: a query at absolute position i (the last <c>sequence</c> of the
/// <c>total_sequence</c> the attention mask covers) sees keys at positions ≤ i (causal), and no key whose attention
/// mask is 0 (left padding of a static batch). A full pass with an empty past equals the incremental passes GenAI runs,
/// which is what the tests hold it to.
/// </remarks>
public static class TinyDecoder
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string PositionIds = "position_ids";
    public const string Logits = "logits";

    // LayerNormalization is opset 17; IR 8 is what ONNX Runtime has read for years.
    public const long OpsetVersion = 17;

    public static string PastKey(int layer) => $"past_key_values.{layer}.key";

    public static string PastValue(int layer) => $"past_key_values.{layer}.value";

    public static string PresentKey(int layer) => $"present.{layer}.key";

    public static string PresentValue(int layer) => $"present.{layer}.value";

    /// <returns>The model.onnx bytes; the same arguments always give the same bytes.</returns>
    /// <param name="logitBias">Added to the logits, one per token (null for none): the sample uses it to keep its nonsense printable.</param>
    public static byte[] Create(DecoderDimensions dimensions, int vocabSize, int seed, float[]? logitBias = null) =>
        OnnxModelWriter.Write(Build(dimensions, vocabSize, seed, logitBias));

    public static OnnxGraph Build(DecoderDimensions d, int vocabSize, int seed, float[]? logitBias = null)
    {
        var random = new Random(seed);
        var g = new OnnxGraphBuilder("tiny-decoder")
            .AddInput(InputIds, OnnxElementType.Int64, "batch", "sequence")
            .AddInput(AttentionMask, OnnxElementType.Int64, "batch", "total_sequence")
            .AddInput(PositionIds, OnnxElementType.Int64, "batch", "sequence");
        for (var layer = 0; layer < d.Layers; layer++)
        {
            g.AddInput(PastKey(layer), OnnxElementType.Float, "batch", d.Heads, "past_sequence", d.HeadSize)
             .AddInput(PastValue(layer), OnnxElementType.Float, "batch", d.Heads, "past_sequence", d.HeadSize);
        }

        g.AddOutput(Logits, OnnxElementType.Float, "batch", "sequence", vocabSize);
        for (var layer = 0; layer < d.Layers; layer++)
        {
            g.AddOutput(PresentKey(layer), OnnxElementType.Float, "batch", d.Heads, "total_sequence", d.HeadSize)
             .AddOutput(PresentValue(layer), OnnxElementType.Float, "batch", d.Heads, "total_sequence", d.HeadSize);
        }

        var e = d.HiddenSize;
        // Scales picked by looking at greedy output: smaller ones make a random decoder repeat one token forever.
        var wte = g.AddInitializer("wte", Normal(random, vocabSize * e, 0.3), vocabSize, e);
        var wpe = g.AddInitializer("wpe", Normal(random, d.ContextLength * e, 0.3), d.ContextLength, e);
        var x = g.AddNode("Add", [g.AddNode("Gather", [wte, InputIds], "tokens"), g.AddNode("Gather", [wpe, PositionIds], "positions")], "embedded");

        var mask = AddAttentionMask(g);
        g.AddInt64Initializer("heads_shape", [0, 0, d.Heads, d.HeadSize], 4);
        g.AddInt64Initializer("hidden_shape", [0, 0, e], 3);
        g.AddInitializer("attention_scale", [1f / MathF.Sqrt(d.HeadSize)]);
        for (var layer = 0; layer < d.Layers; layer++)
        {
            x = AddAttention(g, random, d, layer, x, mask);
            x = AddMlp(g, random, d, layer, x);
        }

        var final = AddLayerNorm(g, "final", x, e);
        var head = g.AddNode("Transpose", [wte], "lm_head", OnnxAttribute.Of("perm", 1L, 0L));
        if (logitBias is null)
        {
            g.AddNode("MatMul", [final, head], Logits);
        }
        else
        {
            var bias = g.AddInitializer("logit_bias", logitBias, vocabSize);
            g.AddNode("Add", [g.AddNode("MatMul", [final, head], "lm_logits"), bias], Logits);
        }
        return g.Build(OnnxModelWriter.IrVersion, OpsetVersion);
    }

    /// <returns>An additive mask [batch, 1, sequence, total_sequence]: 0 where a query may look, -1e9 elsewhere.</returns>
    private static string AddAttentionMask(OnnxGraphBuilder g)
    {
        g.AddInt64Initializer("zero", [0]);
        g.AddInt64Initializer("one", [1]);
        g.AddInt64Initializer("axes_1", [1], 1);
        g.AddInt64Initializer("axes_1_2", [1, 2], 2);
        g.AddInitializer("zero_f", [0f]);
        g.AddInitializer("one_f", [1f]);
        g.AddInitializer("masked_f", [-1e9f]);
        var sequence = g.AddNode("Gather", [g.AddNode("Shape", [InputIds], "ids_shape"), "one"], "sequence_length", OnnxAttribute.Of("axis", 0L));
        var total = g.AddNode("Gather", [g.AddNode("Shape", [AttentionMask], "mask_shape"), "one"], "total_length", OnnxAttribute.Of("axis", 0L));
        var first = g.AddNode("Sub", [total, sequence], "first_query_position");
        var queries = g.AddNode("Unsqueeze", [g.AddNode("Range", [first, total, "one"], "query_positions"), "axes_1"], "query_column");
        var keys = g.AddNode("Range", ["zero", total, "one"], "key_positions");
        var visible = g.AddNode("LessOrEqual", [keys, queries], "causal_visible");
        var causal = g.AddNode("Where", [visible, "zero_f", "masked_f"], "causal_mask");
        var attended = g.AddNode("Cast", [AttentionMask], "attended", OnnxAttribute.Of("to", (long)OnnxElementType.Float));
        var padding = g.AddNode("Mul", [g.AddNode("Sub", ["one_f", attended], "not_attended"), "masked_f"], "padding_mask");
        var padding4 = g.AddNode("Unsqueeze", [padding, "axes_1_2"], "padding_mask_4d");
        return g.AddNode("Add", [padding4, causal], "attention_bias");
    }

    private static string AddAttention(OnnxGraphBuilder g, Random random, DecoderDimensions d, int layer, string x, string mask)
    {
        var p = $"layer{layer}.attention";
        var e = d.HiddenSize;
        var h = AddLayerNorm(g, p, x, e);
        string Heads(string name)
        {
            var w = g.AddInitializer($"{p}.{name}.weight", Normal(random, e * e, 3 / Math.Sqrt(e)), e, e);
            var projected = g.AddNode("MatMul", [h, w], $"{p}.{name}");
            var split = g.AddNode("Reshape", [projected, "heads_shape"], $"{p}.{name}.heads");
            return g.AddNode("Transpose", [split], $"{p}.{name}.bhsd", OnnxAttribute.Of("perm", 0L, 2L, 1L, 3L));
        }

        var q = Heads("query");
        var k = g.AddNode("Concat", [PastKey(layer), Heads("key")], PresentKey(layer), OnnxAttribute.Of("axis", 2L));
        var v = g.AddNode("Concat", [PastValue(layer), Heads("value")], PresentValue(layer), OnnxAttribute.Of("axis", 2L));
        var kt = g.AddNode("Transpose", [k], $"{p}.key_t", OnnxAttribute.Of("perm", 0L, 1L, 3L, 2L));
        var scores = g.AddNode("Mul", [g.AddNode("MatMul", [q, kt], $"{p}.dot"), "attention_scale"], $"{p}.scaled");
        var weights = g.AddNode("Softmax", [g.AddNode("Add", [scores, mask], $"{p}.masked")], $"{p}.weights", OnnxAttribute.Of("axis", -1L));
        var context = g.AddNode("MatMul", [weights, v], $"{p}.context");
        var merged = g.AddNode("Reshape", [g.AddNode("Transpose", [context], $"{p}.context_bshd", OnnxAttribute.Of("perm", 0L, 2L, 1L, 3L)), "hidden_shape"], $"{p}.merged");
        var wo = g.AddInitializer($"{p}.output.weight", Normal(random, e * e, 3 / Math.Sqrt(e)), e, e);
        return g.AddNode("Add", [x, g.AddNode("MatMul", [merged, wo], $"{p}.output")], $"{p}.residual");
    }

    private static string AddMlp(OnnxGraphBuilder g, Random random, DecoderDimensions d, int layer, string x)
    {
        var p = $"layer{layer}.mlp";
        var h = AddLayerNorm(g, p, x, d.HiddenSize);
        var w1 = g.AddInitializer($"{p}.up.weight", Normal(random, d.HiddenSize * d.MlpSize, 3 / Math.Sqrt(d.HiddenSize)), d.HiddenSize, d.MlpSize);
        var b1 = g.AddInitializer($"{p}.up.bias", Normal(random, d.MlpSize, 0.1), d.MlpSize);
        var up = g.AddNode("Add", [g.AddNode("MatMul", [h, w1], $"{p}.up.product"), b1], $"{p}.up");
        var silu = g.AddNode("Mul", [up, g.AddNode("Sigmoid", [up], $"{p}.gate")], $"{p}.silu");
        var w2 = g.AddInitializer($"{p}.down.weight", Normal(random, d.MlpSize * d.HiddenSize, 3 / Math.Sqrt(d.MlpSize)), d.MlpSize, d.HiddenSize);
        return g.AddNode("Add", [x, g.AddNode("MatMul", [silu, w2], $"{p}.down")], $"{p}.residual");
    }

    private static string AddLayerNorm(OnnxGraphBuilder g, string prefix, string x, int width)
    {
        var scale = g.AddInitializer($"{prefix}.norm.scale", Enumerable.Repeat(1f, width).ToArray(), width);
        var bias = g.AddInitializer($"{prefix}.norm.bias", new float[width], width);
        return g.AddNode("LayerNormalization", [x, scale, bias], $"{prefix}.norm", OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", 1e-5f));
    }

    // Box-Muller over System.Random: reproducible from the seed on every platform.
    private static float[] Normal(Random random, int count, double std)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }
}
