using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Serverless.Benchmarks;

/// <summary>
/// The embeddings baseline as a process of its own (<c>raw-embed</c>): ONNX Runtime alone runs the encoder on padded
/// batches of one text repeated, tokenized once beforehand (BertTokenizer from the folder's vocab.txt, lowercased,
/// [CLS] … [SEP]), and mean-pools and L2-normalises every row as the server does, with the server's default session
/// settings (ONNX Runtime's own intra-op thread count, spinning off).
/// </summary>
public static class RawEmbeddings
{
    /// <summary><c>raw-embed VERSION_FOLDER TEXT BATCH SECONDS</c>: one JSON line, texts a second and CPU µs per text.</summary>
    public static int Run(string[] args)
    {
        var (folder, text, batch, seconds) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), double.Parse(args[3], CultureInfo.InvariantCulture));
        var tokenizer = BertTokenizer.Create(Path.Combine(folder, "vocab.txt"), new BertOptions { LowerCaseBeforeTokenization = true });
        var ids = tokenizer.EncodeToIds(text, addSpecialTokens: true);
        var length = ids.Count;
        var inputIds = new long[batch * length];
        var mask = new long[batch * length];
        for (var row = 0; row < batch; row++)
        {
            for (var i = 0; i < length; i++)
            {
                inputIds[row * length + i] = ids[i];
                mask[row * length + i] = 1;
            }
        }

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var session = new InferenceSession(Path.Combine(folder, "model.onnx"), options);
        long[] shape = [batch, length];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[batch * length], shape);
        var names = new List<string> { "input_ids", "attention_mask" };
        var values = new List<OrtValue> { idsValue, maskValue };
        if (session.InputNames.Contains("token_type_ids"))
        {
            names.Add("token_type_ids");
            values.Add(typesValue);
        }
        var output = session.OutputMetadata.First(o => o.Key == "last_hidden_state" || o.Value.Dimensions.Length == 3).Key;
        using var runOptions = new RunOptions();
        var hidden = 0;
        void RunOnce()
        {
            using var results = session.Run(runOptions, names, values, [output]);
            var states = results[0].GetTensorDataAsSpan<float>();
            hidden = states.Length / (batch * length);
            for (var row = 0; row < batch; row++)
            {
                Pool(states.Slice(row * length * hidden, length * hidden), length, hidden);
            }
        }

        for (var i = 0; i < 10; i++)
        {
            RunOnce();
        }
        var recorder = new LatencyRecorder();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
        {
            var t = Stopwatch.GetTimestamp();
            RunOnce();
            recorder.Record(t);
        }
        recorder.Elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            texts_per_second = recorder.PerSecond * batch,
            p50_ms = recorder.Percentile(50),
            p99_ms = recorder.Percentile(99),
            cpu_us_per_text = cpu.TotalMicroseconds / (recorder.Count * batch),
            tokens = length,
            hidden,
        }));
        return 0;
    }

    /// <summary>Mean over the row's tokens (all real: every row is the same text), then L2-normalised, as the server pools.</summary>
    private static float[] Pool(ReadOnlySpan<float> row, int tokens, int hidden)
    {
        var sum = new double[hidden];
        for (var t = 0; t < tokens; t++)
        {
            var state = row.Slice(t * hidden, hidden);
            for (var h = 0; h < hidden; h++)
            {
                sum[h] += state[h];
            }
        }
        var vector = new float[hidden];
        double squares = 0;
        for (var h = 0; h < hidden; h++)
        {
            vector[h] = (float)(sum[h] / tokens);
            squares += (double)vector[h] * vector[h];
        }
        var norm = Math.Max(Math.Sqrt(squares), 1e-12);
        for (var h = 0; h < hidden; h++)
        {
            vector[h] = (float)(vector[h] / norm);
        }
        return vector;
    }
}
