using System.Globalization;
using System.Text;

namespace Serverless.Tests.Jobs;

/// <summary>Deterministic iris-like measurements for job inputs, as JSONL or CSV.</summary>
public static class IrisRows
{
    public static float[] Features(int row) =>
    [
        4.3f + row % 37 * 0.1f,
        2.0f + row % 23 * 0.1f,
        1.0f + row % 59 * 0.1f,
        0.1f + row % 25 * 0.1f,
    ];

    public static string JsonlLine(int row) =>
        $"{{\"id\":\"r{row}\",\"features\":[{string.Join(",", Features(row).Select(Text))}]}}";

    public static string Jsonl(int rows) => string.Concat(Enumerable.Range(0, rows).Select(r => JsonlLine(r) + "\n"));

    public static string Csv(int rows)
    {
        var text = new StringBuilder("id,sepal_length,sepal_width,petal_length,petal_width\n");
        for (var r = 0; r < rows; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"r{r},{string.Join(",", Features(r).Select(Text))}\n");
        }
        return text.ToString();
    }

    public static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
