using System.Globalization;
using System.Text.Json;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Integration;

/// <summary>One case of ../shared/onnx-conformance: its request, and the check of an answer against its reference outputs.</summary>
public static class ConformanceCase
{
    /// <summary>Every case's name, in order; none without ../shared.</summary>
    public static IReadOnlyList<string> Names() => SharedMaterial.IsPresent
        ? Directory.EnumerateDirectories(Path.Combine(RepositoryPaths.Conformance, "cases")).Select(d => Path.GetFileName(d)!).Order().ToList()
        : [];

    public static Task<string> RequestAsync(string name) =>
        File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Conformance, "cases", name, "request.json"));

    /// <summary>
    /// Every reference output comes back with the same name, datatype and shape; integer and BOOL data exactly, floating
    /// data within the case's atol (MANIFEST.tsv), used as both absolute and relative tolerance.
    /// </summary>
    public static async Task AssertMatchesAsync(string name, JsonElement outputs)
    {
        var atol = Tolerance(name);
        var actual = outputs.EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        using var expectedDoc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Conformance, "cases", name, "expected.json")));
        foreach (var expected in expectedDoc.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var outputName = expected.GetProperty("name").GetString()!;
            Assert.True(actual.TryGetValue(outputName, out var output), $"{name}: output '{outputName}' missing");
            var datatype = expected.GetProperty("datatype").GetString();
            Assert.Equal(datatype, output.GetProperty("datatype").GetString());
            Assert.Equal(expected.GetProperty("shape").GetRawText(), output.GetProperty("shape").GetRawText());
            var want = expected.GetProperty("data").EnumerateArray().ToList();
            var got = output.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(want.Count, got.Count);
            for (var i = 0; i < want.Count; i++)
            {
                if (datatype is "FP16" or "FP32" or "FP64")
                {
                    var (w, g) = (want[i].GetDouble(), got[i].GetDouble());
                    Assert.True(Math.Abs(w - g) <= atol + atol * Math.Abs(w), $"{name}: {outputName}[{i}]: expected {w}, got {g} (atol {atol})");
                }
                else
                {
                    Assert.Equal(want[i].GetRawText(), got[i].GetRawText());
                }
            }
        }
    }

    /// <summary>The case's absolute tolerance from MANIFEST.tsv (the same value serves as relative tolerance).</summary>
    private static double Tolerance(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Conformance, "MANIFEST.tsv"));
        var header = lines[0].Split('\t');
        var atolColumn = Array.IndexOf(header, "atol");
        var row = lines.Skip(1).Select(l => l.Split('\t')).Single(r => r[0] == name);
        return double.Parse(row[atolColumn], CultureInfo.InvariantCulture);
    }
}
