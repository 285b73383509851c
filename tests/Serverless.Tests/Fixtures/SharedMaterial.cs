namespace Serverless.Tests.Fixtures;

/// <summary>Whether ../shared (the ONNX conformance suite) sits beside the checkout.</summary>
public static class SharedMaterial
{
    public static bool IsPresent => Directory.Exists(Path.Combine(RepositoryPaths.Conformance, "cases"));

    /// <summary>Null when present (the test runs), else why it is skipped.</summary>
    public static string? SkipReason => IsPresent
        ? null
        : $"needs ../shared/onnx-conformance beside the checkout ({RepositoryPaths.Conformance} is absent); CI always has it";
}
