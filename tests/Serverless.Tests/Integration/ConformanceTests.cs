using System.Globalization;
using System.Net;
using System.Text.Json;
using Serverless.Tests.Fixtures;
using static Serverless.Tests.Integration.SampleRequests;

namespace Serverless.Tests.Integration;

/// <summary>
/// External truth: real ONNX models with reference inputs and outputs written by others
/// (../shared/onnx-conformance), served as a model repository and checked within each case's tolerance.
/// </summary>
public sealed class ConformanceTests : IAsyncLifetime
{
    private ServerlessHost _host = null!;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (!SharedMaterial.IsPresent)
        {
            return data;
        }
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(RepositoryPaths.Conformance, "cases")).Order())
        {
            data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    public async Task InitializeAsync() =>
        _host = await ServerlessHost.StartAsync(("Models:Repository", Path.Combine(RepositoryPaths.Conformance, "models")));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [NeedsSharedTheory]
    [MemberData(nameof(Cases))]
    public async Task Infer_ConformanceCase_MatchesReferenceOutputs(string name)
    {
        var caseDir = Path.Combine(RepositoryPaths.Conformance, "cases", name);
        var atol = Tolerance(name);

        var response = await _host.Client.InferAsync(name, await File.ReadAllTextAsync(Path.Combine(caseDir, "request.json")));

        var actual = (await response.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("outputs").EnumerateArray()
            .ToDictionary(o => o.GetProperty("name").GetString()!);
        using var expectedDoc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(caseDir, "expected.json")));
        foreach (var expected in expectedDoc.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var outputName = expected.GetProperty("name").GetString()!;
            Assert.True(actual.TryGetValue(outputName, out var output), $"output '{outputName}' missing");
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
                    Assert.True(Math.Abs(w - g) <= atol + atol * Math.Abs(w), $"{outputName}[{i}]: expected {w}, got {g} (atol {atol})");
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
