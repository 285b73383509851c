using System.Text.Json;

namespace Serverless.Tests.Jobs;

/// <summary>Reads job output: JSONL rows, CSV rows, error rows.</summary>
public static class JobOutputRows
{
    public static List<JsonElement> Jsonl(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    /// <summary>CSV rows as column name to text.</summary>
    public static List<Dictionary<string, string>> Csv(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => line.Split(',').Select((value, i) => (header[i], value)).ToDictionary(p => p.Item1, p => p.value)).ToList();
    }
}
