using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Serverless.Core.Inference;
using Serverless.Functions.Protocol.Codecs;

namespace Serverless.Functions.Protocol.Http;

/// <summary>
/// Writes an inference response: plain JSON, or, when any output is asked for as binary tensor data, the JSON header
/// followed by those outputs' raw bytes in output order, framed by <c>Inference-Header-Content-Length</c>.
/// </summary>
public static class InferenceResponseBody
{
    public static async Task WriteAsync(HttpResponse http, InferenceResponse response, BinaryOutputSelection binaryOutputs, CancellationToken cancellationToken)
    {
        if (!binaryOutputs.AnyBinary(response.Outputs))
        {
            http.ContentType = "application/json";
            await using (var writer = new Utf8JsonWriter(http.BodyWriter))
            {
                InferenceResponseJsonWriter.Write(writer, response);
            }
            await http.BodyWriter.FlushAsync(cancellationToken);
            return;
        }
        // The header's length goes out before the body starts, so the (small) JSON is written aside first.
        var header = new ArrayBufferWriter<byte>(512);
        await using (var writer = new Utf8JsonWriter(header))
        {
            InferenceResponseJsonWriter.Write(writer, response, binaryOutputs);
        }
        long length = header.WrittenCount;
        foreach (var output in response.Outputs)
        {
            if (binaryOutputs.IsBinary(output.Name))
            {
                length += output.Data.Length;
            }
        }
        http.ContentType = "application/octet-stream";
        http.Headers[InferenceHeader.ContentLengthHeader] = header.WrittenCount.ToString(CultureInfo.InvariantCulture);
        http.ContentLength = length;
        http.BodyWriter.Write(header.WrittenSpan);
        foreach (var output in response.Outputs)
        {
            if (binaryOutputs.IsBinary(output.Name))
            {
                // Straight from the output's (pooled) buffer into the connection's pipe, flushed per output.
                await http.BodyWriter.WriteAsync(output.Data, cancellationToken);
            }
        }
        await http.BodyWriter.FlushAsync(cancellationToken);
    }
}
