using System.Globalization;

namespace Serverless.Core.Repository;

/// <summary>The repository layout, shared by the folder and the blob repository.</summary>
public static class ModelRepositoryLayout
{
    public const string ModelFileName = "model.onnx";
    public const string ConfigFileName = "config.json";

    /// <summary>
    /// The one rule for a version, as a folder name or a URL segment: a positive integer in canonical form. <c>01</c>
    /// would parse as 1 but names another folder than version 1 is fetched from, so it is not a version at all.
    /// </summary>
    public static bool TryParseVersion(string segment, out long version) =>
        long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0
        && segment == version.ToString(CultureInfo.InvariantCulture);
}
