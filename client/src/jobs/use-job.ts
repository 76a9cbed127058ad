import { useCallback, useEffect, useRef, useState } from 'react';
import { apiErrorText } from '../i18n/api-error-text';
import { jobsApi, type JobDetail } from './api';

/** A job has stopped moving (nothing more will change without a retry). */
export function jobEnded(status: JobDetail['status'] | undefined): boolean {
  return status === 'completed' || status === 'cancelled';
}

/**
 * A job's detail with one page of its failures, polled every second while it is queued or running
 * (and once more when it ends). `reload` fetches at once, e.g. after a retry.
 */
export function useJob(jobId: string | undefined, errorsPage: { offset: number; limit: number }) {
  const [detail, setDetail] = useState<JobDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef<string | undefined>(jobId);
  latest.current = jobId;

  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    setDetail(null);
    setError(null);
  }, [jobId]);

  useEffect(() => {
    if (!jobId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        const d = await jobsApi.get(jobId, errorsPage.offset, errorsPage.limit);
        if (stopped || latest.current !== jobId) return;
        setDetail(d);
        setError(null);
        if (!jobEnded(d.status)) timer = setTimeout(poll, 1000);
      } catch (e) {
        if (stopped) return;
        setError(apiErrorText(e));
        timer = setTimeout(poll, 2000);
      }
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [jobId, errorsPage.offset, errorsPage.limit, tick]);

  return { detail, error, reload };
}
