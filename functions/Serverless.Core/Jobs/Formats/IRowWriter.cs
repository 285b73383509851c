using System.Buffers;
using Serverless.Core.Inference;

namespace Serverless.Core.Jobs.Formats;

/// <summary>Encodes scored rows: the row number, the id, then the requested outputs.</summary>
public interface IRowWriter
{
    void WriteHeader(IBufferWriter<byte> output);

    /// <summary>Writes rows [first, first + count) of <paramref name="batch"/>; <paramref name="outputs"/> hold exactly those rows.</summary>
    void WriteRows(RowBatch batch, int first, int count, IReadOnlyList<InferenceTensor> outputs, IBufferWriter<byte> output);
}
