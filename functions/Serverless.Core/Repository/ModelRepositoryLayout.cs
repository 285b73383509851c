using System.Globalization;

namespace Serverless.Core.Repository;

/// <summary>The repository layout, shared by the folder and the blob repository.</summary>
public static class ModelRepositoryLayout
{
    public const string ModelFileName = "model.onnx";
    public const string ConfigFileName = "config.json";

    public static bool TryParseVersion(string segment, out long version) =>
        long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;
}
