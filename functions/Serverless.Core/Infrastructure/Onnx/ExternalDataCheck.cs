using Serverless.Core.Errors;
using Serverless.Core.Repository;

namespace Serverless.Core.Infrastructure.Onnx;

/// <summary>
/// Checks a model.onnx's external-data references (initializers with data_location = EXTERNAL) against the files
/// beside it before ONNX Runtime opens it: a missing or truncated file, or a location outside the version folder,
/// becomes a 503 that names the file, where ONNX Runtime names only the initializer or a bare read error. Only field
/// headers are read; weights stored inline are skipped by seeking, so even a 2 GB single-file model costs little.
/// </summary>
/// <remarks>Field numbers from onnx.proto: ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.name = 8,
/// external_data = 13 (StringStringEntryProto key = 1, value = 2), data_location = 14 (EXTERNAL = 1).</remarks>
internal static class ExternalDataCheck
{
    /// <returns>Whether the model keeps any weights in external-data files.</returns>
    public static bool Verify(ModelKey key, string modelPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        List<Reference> references;
        try
        {
            using var stream = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            references = ReadModel(stream);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            // Not a model we can read: ONNX Runtime says what is wrong with it when it tries to open it.
            return false;
        }
        foreach (var reference in references)
        {
            var path = ModelRepositoryLayout.ResolveInside(folder, reference.Location)
                ?? throw new ModelLoadException($"model {key}: initializer '{reference.Initializer}' names external data file '{reference.Location}' outside the version folder");
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new ModelLoadException($"model {key}: external data file '{reference.Location}' of initializer '{reference.Initializer}' is missing");
            }
            var end = reference.Offset + Math.Max(reference.Length, 0);
            if (file.Length < end)
            {
                throw new ModelLoadException($"model {key}: external data file '{reference.Location}' has {file.Length} bytes, but initializer '{reference.Initializer}' needs bytes {reference.Offset} to {end} (truncated?)");
            }
        }
        return references.Count > 0;
    }

    private sealed record Reference(string Initializer, string Location, long Offset, long Length);

    private static List<Reference> ReadModel(Stream stream)
    {
        var references = new List<Reference>();
        ForEachField(stream, stream.Length, (field, wire) =>
        {
            if (field == 7 && wire == 2)
            {
                var graphEnd = LengthEnd(stream);
                ForEachField(stream, graphEnd, (graphField, graphWire) =>
                {
                    if (graphField == 5 && graphWire == 2)
                    {
                        var tensorEnd = LengthEnd(stream);
                        if (ReadTensor(stream, tensorEnd) is { } reference)
                        {
                            references.Add(reference);
                        }
                        stream.Position = tensorEnd;
                        return true;
                    }
                    return false;
                });
                stream.Position = graphEnd;
                return true;
            }
            return false;
        });
        return references;
    }

    private static Reference? ReadTensor(Stream stream, long end)
    {
        string name = "", location = "";
        long offset = 0, length = -1, dataLocation = 0;
        ForEachField(stream, end, (field, wire) =>
        {
            switch (field, wire)
            {
                case (8, 2):
                    name = ReadString(stream);
                    return true;
                case (14, 0):
                    dataLocation = (long)ReadVarint(stream);
                    return true;
                case (13, 2):
                    var entryEnd = LengthEnd(stream);
                    string entryKey = "", value = "";
                    ForEachField(stream, entryEnd, (entryField, entryWire) =>
                    {
                        if (entryWire != 2 || entryField is not (1 or 2))
                        {
                            return false;
                        }
                        if (entryField == 1)
                        {
                            entryKey = ReadString(stream);
                        }
                        else
                        {
                            value = ReadString(stream);
                        }
                        return true;
                    });
                    stream.Position = entryEnd;
                    switch (entryKey)
                    {
                        case "location":
                            location = value;
                            break;
                        case "offset":
                            offset = long.TryParse(value, out var o) ? o : 0;
                            break;
                        case "length":
                            length = long.TryParse(value, out var l) ? l : -1;
                            break;
                    }
                    return true;
                default:
                    return false;
            }
        });
        return dataLocation == 1 && location.Length > 0 ? new Reference(name, location, offset, length) : null;
    }

    /// <summary>Calls <paramref name="read"/> for each field up to <paramref name="end"/>; a field it does not read (returns false) is skipped.</summary>
    private static void ForEachField(Stream stream, long end, Func<int, int, bool> read)
    {
        while (stream.Position < end)
        {
            var tag = ReadVarint(stream);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (!read(field, wire))
            {
                Skip(stream, wire);
            }
        }
    }

    private static void Skip(Stream stream, int wire)
    {
        switch (wire)
        {
            case 0:
                ReadVarint(stream);
                break;
            case 1:
                stream.Seek(8, SeekOrigin.Current);
                break;
            case 2:
                stream.Position = LengthEnd(stream);
                break;
            case 5:
                stream.Seek(4, SeekOrigin.Current);
                break;
            default:
                throw new InvalidDataException($"wire type {wire}");
        }
    }

    private static long LengthEnd(Stream stream)
    {
        var length = ReadVarint(stream);
        if (length > (ulong)(stream.Length - stream.Position))
        {
            throw new InvalidDataException("length past the end of the file");
        }
        return stream.Position + (long)length;
    }

    private static string ReadString(Stream stream)
    {
        var end = LengthEnd(stream);
        var bytes = new byte[checked((int)(end - stream.Position))];
        stream.ReadExactly(bytes);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    private static ulong ReadVarint(Stream stream)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new EndOfStreamException();
            }
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("varint too long");
    }
}
