using System.Text;
using Serverless.Core.Batching;
using Serverless.Core.Inference;

namespace Serverless.Tests.Core.Batching;

public sealed class TensorBatchingTests
{
    [Fact]
    public void ConcatenateThenSplit_BytesRowsOfDifferentLengths_EachRequestGetsItsOwnElements()
    {
        string[][] requests = [["a", "bb", "", "dddd"], ["eeeee", "f"], ["g\0h", "\u00e9", "iii", "j", "k", "llllll"]];
        var inputs = requests.Select(r => (IReadOnlyList<InferenceTensor>)[Strings(r)]).ToList();

        var merged = Assert.Single(TensorBatching.Concatenate(inputs));
        var split = TensorBatching.Split([merged with { Name = "y" }], requests.Select(r => (long)r.Length / 2).ToList());

        Assert.Equal([6L, 2L], merged.Shape);
        Assert.NotNull(split);
        for (var i = 0; i < requests.Length; i++)
        {
            var output = Assert.Single(split[i]);
            Assert.Equal([requests[i].Length / 2L, 2L], output.Shape);
            Assert.Equal(Strings(requests[i]).Data.ToArray(), output.Data.ToArray());
        }
    }

    /// <summary>A [n/2, 2] BYTES tensor in the core's layout: each element a 4-byte length and its UTF-8 bytes.</summary>
    private static InferenceTensor Strings(string[] values) =>
        new("x", TensorDataType.Bytes, [values.Length / 2, 2],
            values.SelectMany(v => BitConverter.GetBytes(Encoding.UTF8.GetByteCount(v)).Concat(Encoding.UTF8.GetBytes(v))).ToArray());
}
