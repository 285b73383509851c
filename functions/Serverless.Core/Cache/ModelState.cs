namespace Serverless.Core.Cache;

/// <summary>Model version states as Triton's repository extension names them.</summary>
public enum ModelState
{
    Unavailable,
    Loading,
    Ready,
}
