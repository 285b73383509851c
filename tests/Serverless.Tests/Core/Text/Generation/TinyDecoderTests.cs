using Microsoft.ML.OnnxRuntime;
using Serverless.SampleModels.Text;

namespace Serverless.Tests.Core.Text.Generation;

/// <summary>The writer's decoder graph, checked against itself through plain ONNX Runtime and against GenAI's incremental loop.</summary>
public sealed class TinyDecoderTests(TinyDecoderFolder tiny) : IClassFixture<TinyDecoderFolder>
{
    [Fact]
    public void KvCache_GenAisIncrementalGreedyTokens_EqualArgmaxOfAFullRecompute()
    {
        var prompt = tiny.Model.Tokenize(Serverless.Core.Text.Generation.GenerationInput.OfPrompt("Hello serverless world"));
        var (generated, _) = GenAiGreedyReference.Greedy(tiny.Directory, prompt, maxTokens: 16);
        // Up to an end-of-sequence token, which is compared too.
        Assert.InRange(generated.Length, 8, 16);

        using var session = new InferenceSession(Path.Combine(tiny.Directory, GenAiFolderWriter.DecoderFile));
        var sequence = prompt.ToList();
        foreach (var expected in generated)
        {
            // The whole sequence so far in one pass, with an empty past: no cache involved.
            Assert.Equal(expected, ArgmaxOfLastPosition(session, sequence));
            sequence.Add(expected);
        }
    }

    [Fact]
    public void Create_SameArguments_SameBytes()
    {
        var first = GenAiFolderWriter.Create(DecoderDimensions.Tiny, seed: 5);
        var second = GenAiFolderWriter.Create(DecoderDimensions.Tiny, seed: 5);

        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        Assert.All(first, f => Assert.Equal(f.Value, second[f.Key]));
        Assert.NotEqual(first[GenAiFolderWriter.DecoderFile], GenAiFolderWriter.Create(DecoderDimensions.Tiny, seed: 6)[GenAiFolderWriter.DecoderFile]);
    }

    [Fact]
    public void TinyChatSample_CommittedFolder_IsWhatTheWriterWrites()
    {
        var committed = Path.Combine(Serverless.Tests.Fixtures.RepositoryPaths.SampleModels, TinyChatSample.Name, "1");

        var written = GenAiFolderWriter.Create(DecoderDimensions.Tiny, TinyChatSample.Seed);

        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), Directory.GetFiles(committed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(written, f => Assert.True(f.Value.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(committed, f.Key))),
            $"models/tiny-chat/1/{f.Key} differs from what tests/Serverless.SampleModels writes: regenerate it"));
    }

    private static int ArgmaxOfLastPosition(InferenceSession session, List<int> sequence)
    {
        var d = TinyDecoderFolder.Dimensions;
        var length = sequence.Count;
        var inputs = new Dictionary<string, OrtValue>
        {
            [TinyDecoder.InputIds] = OrtValue.CreateTensorValueFromMemory(sequence.Select(t => (long)t).ToArray(), [1, length]),
            [TinyDecoder.AttentionMask] = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, length).ToArray(), [1, length]),
            [TinyDecoder.PositionIds] = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, length).Select(p => (long)p).ToArray(), [1, length]),
        };
        for (var layer = 0; layer < d.Layers; layer++)
        {
            inputs[TinyDecoder.PastKey(layer)] = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, d.Heads, 0, d.HeadSize]);
            inputs[TinyDecoder.PastValue(layer)] = OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, d.Heads, 0, d.HeadSize]);
        }

        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, [TinyDecoder.Logits]);
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            var vocab = TinyDecoderFolder.Tokenizer.VocabSize;
            var last = logits[((length - 1) * vocab)..(length * vocab)];
            var best = 0;
            for (var i = 1; i < vocab; i++)
            {
                if (last[i] > last[best])
                {
                    best = i;
                }
            }

            return best;
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }
}
