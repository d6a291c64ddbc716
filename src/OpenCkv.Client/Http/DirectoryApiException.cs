using System.Net;

namespace OpenCkv.Client.Http;

/// <summary>The server refused a request; <see cref="Problem"/> is the stable problem name (<c>urn:openckv:problem:NAME</c>).</summary>
public sealed class DirectoryApiException(HttpStatusCode status, string problem, string? detail, string? body)
    : Exception($"{(int)status} {problem}: {detail}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The problem's name (the last part of its type), or the status's name when the body was not a problem.</summary>
    public string Problem { get; } = problem;

    /// <summary>The problem's detail.</summary>
    public string? Detail { get; } = detail;

    /// <summary>The whole response body, for evidence.</summary>
    public string? Body { get; } = body;
}
