using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Search;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// Answers a request to walk the recent distinguished entries (KT §13.6): the view update and the walk of
    /// §10.1. Asked without <c>last</c>, the answer is self-contained — anyone holding the configuration can verify
    /// it — which is what devices exchange to detect forks (§10.2, DESIGN §5).
    /// </summary>
    /// <exception cref="ArgumentException"><c>last</c> is not a size this log had.</exception>
    public HeadAndProofResponse DistinguishedHeads(DistinguishedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (ulong size, SignedView view, _) = Begin([], request.Last, nameof(request));
        var session = new ProverSession(this, new LabelHistory([], []), [], size, request.Last, AuditedSize(request.Last, size, view));
        UpdateView.Run(session, size, request.Last);
        DistinguishedWalk.Run(session, size, request.Stop, Configuration);
        return new HeadAndProofResponse(FullHeadFor(request.Last, size, view), session.Finish(size, request.Last));
    }
}
