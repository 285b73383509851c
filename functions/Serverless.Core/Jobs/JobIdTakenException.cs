using Serverless.Core.Errors;

namespace Serverless.Core.Jobs;

/// <summary>A submission whose id is another caller's job: 409, and nothing of that job in the answer.</summary>
public sealed class JobIdTakenException(string id) : ServerlessException($"job id '{id}' is already taken: submit it with another id", 409);
