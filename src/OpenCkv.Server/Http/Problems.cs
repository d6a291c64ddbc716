using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenCkv.Directory;
using OpenCkv.Directory.Authentication;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Server.Http;

/// <summary>A KEYTRANS request the log refused as impossible (for example a <c>last</c> beyond the log) (400).</summary>
internal sealed class KtRequestException(string message) : Exception(message);

/// <summary>The log cannot answer yet (503).</summary>
internal sealed class NotReadyException(string message) : Exception(message);

/// <summary>Too many requests of one kind from one device or address (429).</summary>
internal sealed class RateLimitedException(string what, TimeSpan retryAfter) : Exception($"Too many {what}; retry in {Math.Ceiling(retryAfter.TotalSeconds)} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Turns every refusal into an RFC 9457 problem (<c>application/problem+json</c>) with a stable type
/// <c>urn:openckv:problem:NAME</c> and, where it helps, the evidence. Bad input never becomes a 500: an
/// unexpected exception is logged and answered 500 without detail.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            (int status, string name, string detail, object? evidence) = Classify(e);
            if (status == 500)
            {
                ServerLog.Unhandled(logger, e, context.Request.Method, context.Request.Path.ToString());
            }

            if (e is RateLimitedException limited)
            {
                context.Response.Headers.RetryAfter = Math.Ceiling(limited.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (status == 401)
            {
                context.Response.Headers.WWWAuthenticate = "CKV-Signature, Bearer";
            }

            var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (evidence is not null)
            {
                extensions["evidence"] = evidence;
            }

            IResult result = Results.Problem(detail: detail, statusCode: status, title: name, type: "urn:openckv:problem:" + name, extensions: extensions);
            await result.ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private static (int Status, string Name, string Detail, object? Evidence) Classify(Exception e) => e switch
    {
        BodyTooLargeException => (413, "body-too-large", e.Message, null),
        BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 413 ? "body-too-large" : "bad-request", bad.Message, null),
        BadInputException => (400, "bad-input", e.Message, null),
        KtFormatException => (400, "malformed-keytrans-message", e.Message, null),
        KtRequestException => (400, "keytrans-request-refused", e.Message, null),
        AuthenticationException auth => (401, "unauthenticated-" + Kebab(auth.Failure.ToString()), e.Message, null),
        NotReadyException => (503, "not-ready", e.Message, null),
        KeyTransparency.Logs.VersionErasedException => (410, "erased", e.Message, null),
        RateLimitedException => (429, "rate-limited", e.Message, null),
        DirectoryException d => (StatusOf(d.Error), Kebab(d.Error.ToString()), e.Message, Evidence(d.Evidence)),
        _ => (500, "internal", "The server failed; the request was not applied.", null),
    };

    private static int StatusOf(DirectoryError error) => error switch
    {
        DirectoryError.Malformed or DirectoryError.InvalidHandle => 400,
        DirectoryError.NoCode or DirectoryError.WrongCode or DirectoryError.WrongSecondFactor => 403,
        DirectoryError.NotFound => 404,
        DirectoryError.HandleTaken or DirectoryError.IdTaken or DirectoryError.RequirementsNotMet or DirectoryError.NotAllowed or DirectoryError.MailboxFull => 409,
        DirectoryError.RecordRejected => 422,
        DirectoryError.LogMoved => 410,
        DirectoryError.TooManyAttempts => 429,
        DirectoryError.Unavailable or DirectoryError.ReadReplica => 503,
        _ => 500,
    };

    private static object? Evidence(object? evidence) => evidence switch
    {
        IReadOnlyList<OpenCkv.Directory.Devices.Blocker> blockers => blockers.Select(Endpoints.Conversions.Message).ToArray(),
        _ => evidence,
    };

    internal static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
