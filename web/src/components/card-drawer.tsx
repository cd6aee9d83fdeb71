/**
 * A card's drawer: every field of the appointment, its history (newest first: who, when, what),
 * and the edits the caller's role allows (staff: notes and technician; admin: times and services
 * too), each sent with the version it was made from. A 409 refetches the card, says what changed
 * and keeps the unsaved edits on the fresh version.
 */
import { useCallback, useEffect, useState } from 'react';
import {
  ApiError,
  type Appointment,
  type BoardApi,
  type HistoryEntry,
  type ServiceView,
  type Technician,
} from '../api';
import {
  changedFields,
  describeEntry,
  draftOf,
  fieldErrors,
  formError,
  patchFor,
  rebaseDraft,
  type Draft,
} from '../appointment-edit';
import { COLUMN_LABELS } from '../board-view';
import { formatDay, formatWhen, timeRange, wallClock } from '../format';
import { Dialog, FieldError, InputField } from './dialog';

export interface DrawerPermissions {
  /** Notes (and the technician, where the API has technicians). */
  edit: boolean;
  /** Times and services. */
  admin: boolean;
}

export interface CardDrawerProps {
  api: BoardApi;
  cardId: string;
  /** The name the card showed, for the dialog's name until the appointment loads. */
  customerName: string;
  zone: string;
  may: DrawerPermissions;
  services: readonly ServiceView[];
  /** Undefined where the API has no technicians yet. */
  technicians: readonly Technician[] | undefined;
  onClose(): void;
  onSaved(): void;
}

export function CardDrawer(props: CardDrawerProps) {
  const { api, cardId, zone } = props;
  const [base, setBase] = useState<Appointment | undefined>(undefined);
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [history, setHistory] = useState<HistoryEntry[] | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ tone: 'info' | 'warn' | 'error'; text: string } | undefined>();
  const [saving, setSaving] = useState(false);

  const loadHistory = useCallback(() => {
    api.getHistory(cardId).then(
      (page) => setHistory(page.entries),
      () => setHistory((h) => h ?? []),
    );
  }, [api, cardId]);

  useEffect(() => {
    api.getAppointment(cardId).then(
      (a) => {
        setBase(a);
        setDraft(draftOf(a, zone));
      },
      (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
    );
    loadHistory();
  }, [api, cardId, zone, loadHistory]);

  const may = { admin: props.may.admin, technician: props.may.edit && props.technicians !== undefined };
  const save = async () => {
    if (!base || !draft) return;
    const body = patchFor(base, draft, zone, may);
    if (!body) {
      setNotice({ tone: 'info', text: 'Nothing to save.' });
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      const next = await api.updateAppointment(cardId, body);
      setBase(next);
      setDraft(draftOf(next, zone));
      setNotice({ tone: 'info', text: 'Saved.' });
      loadHistory();
      props.onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const fresh = await api.getAppointment(cardId).catch(() => undefined);
        if (fresh) {
          const changed = changedFields(base, fresh);
          setDraft(rebaseDraft(draft, draftOf(base, zone), draftOf(fresh, zone)));
          setBase(fresh);
          loadHistory();
          props.onSaved();
          setNotice({
            tone: 'warn',
            text: `Someone else changed this card first${changed.length ? ` (${changed.join(', ')})` : ''}. Your edits are kept: check them and save again.`,
          });
        } else setNotice({ tone: 'error', text: err.message });
      } else {
        setErrors(fieldErrors(err));
        const general = formError(err, ['notes', 'technician_id', 'appt_start', 'appt_end', 'service_codes']);
        setNotice(general ? { tone: 'error', text: `Not saved: ${general}` } : undefined);
      }
    } finally {
      setSaving(false);
    }
  };

  const name = base?.customer_name ?? props.customerName;
  return (
    <Dialog labelledBy="drawer-title" className="drawer" onClose={props.onClose}>
      <div className="dialog-head">
        <h2 id="drawer-title">
          {name}
          {base ? ` · ${timeRange(base.appt_start, base.appt_end, zone)}` : ''}
        </h2>
        <button type="button" className="dialog-close" onClick={props.onClose}>
          Close
        </button>
      </div>
      {loadError ? (
        <p className="banner banner-error" role="alert">
          The card could not be loaded: {loadError}
        </p>
      ) : !base || !draft ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <DrawerBody
          appointment={base}
          draft={draft}
          onDraft={setDraft}
          history={history}
          zone={zone}
          may={props.may}
          services={props.services}
          technicians={props.technicians}
          errors={errors}
          notice={notice}
          saving={saving}
          onSave={() => void save()}
        />
      )}
    </Dialog>
  );
}

export interface DrawerBodyProps {
  appointment: Appointment;
  draft: Draft;
  onDraft(d: Draft): void;
  history: HistoryEntry[] | undefined;
  zone: string;
  may: DrawerPermissions;
  services: readonly ServiceView[];
  technicians: readonly Technician[] | undefined;
  errors: Record<string, string>;
  notice: { tone: 'info' | 'warn' | 'error'; text: string } | undefined;
  saving: boolean;
  onSave(): void;
}

/** The drawer's content once the card has loaded (rendered on its own by the component tests). */
export function DrawerBody(p: DrawerBodyProps) {
  const a = p.appointment;
  const serviceNames = new Map(p.services.map((s) => [s.code, s.name]));
  const names = { services: serviceNames, technicians: new Map(p.technicians?.map((t) => [t.id, t.name])) };
  const technicianName = a.technician_id === null ? 'Unassigned' : (a.technician_name ?? a.technician_id);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => p.onDraft({ ...p.draft, [k]: v });
  const err = (field: string) => p.errors[field];
  const described = (field: string) =>
    err(field) ? { 'aria-describedby': `err-${field}`, 'aria-invalid': true } : {};

  return (
    <div className="drawer-body">
      <dl className="drawer-fields">
        <Field label="Status" value={COLUMN_LABELS[a.status]} />
        <Field label="Day" value={formatDay(wallClock(new Date(a.appt_start), p.zone).day)} />
        <Field label="Time" value={`${timeRange(a.appt_start, a.appt_end, p.zone)} (${p.zone})`} />
        <Field label="Customer" value={`${a.customer_name} (${a.customer_id})`} />
        <Field label="Vehicle" value={`${a.vehicle_label} (${a.vehicle_id})`} />
        <Field label="Services" value={a.service_codes.map((c) => serviceNames.get(c) ?? c).join(', ')} />
        <Field label="Technician" value={technicianName} />
        <Field label="Notes" value={a.notes ?? '—'} />
        <Field label={`In ${COLUMN_LABELS[a.status]} since`} value={formatWhen(a.status_since, p.zone)} />
        <Field label="Booked" value={formatWhen(a.created_at, p.zone)} />
        <Field label="Last changed" value={formatWhen(a.updated_at, p.zone)} />
        <Field label="Version" value={String(a.version)} />
        <Field label="Id" value={a.id} />
      </dl>

      {p.may.edit ? (
        <form
          className="drawer-form"
          aria-label="Edit the card"
          onSubmit={(e) => {
            e.preventDefault();
            p.onSave();
          }}
        >
          <label htmlFor="drawer-notes">Notes</label>
          <textarea
            id="drawer-notes"
            rows={3}
            maxLength={2000}
            value={p.draft.notes}
            onChange={(e) => set('notes', e.target.value)}
            {...described('notes')}
          />
          <FieldError id="err-notes" text={err('notes')} />
          {p.technicians ? (
            <>
              <label htmlFor="drawer-technician">Technician</label>
              <select
                id="drawer-technician"
                value={p.draft.technician_id}
                onChange={(e) => set('technician_id', e.target.value)}
                {...described('technician_id')}
              >
                <option value="">Unassigned</option>
                {p.technicians.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                    {t.active ? '' : ' (inactive)'}
                  </option>
                ))}
              </select>
              <FieldError id="err-technician_id" text={err('technician_id')} />
            </>
          ) : null}
          {p.may.admin ? (
            <>
              <InputField
                id="drawer-start"
                label="Start"
                type="datetime-local"
                value={p.draft.start}
                onChange={(v) => set('start', v)}
                error={err('appt_start')}
              />
              <InputField
                id="drawer-end"
                label="End"
                type="datetime-local"
                value={p.draft.end}
                onChange={(v) => set('end', v)}
                error={err('appt_end')}
              />
              <ServicesSelect
                id="drawer-services"
                services={p.services}
                value={p.draft.service_codes}
                onChange={(codes) => set('service_codes', codes)}
                error={err('service_codes')}
              />
            </>
          ) : null}
          {p.notice ? (
            <p
              className={`notice notice-${p.notice.tone}`}
              role={p.notice.tone === 'info' ? 'status' : 'alert'}
            >
              {p.notice.text}
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={p.saving}>
            {p.saving ? 'Saving…' : 'Save'}
          </button>
        </form>
      ) : null}

      <section className="history" aria-labelledby="history-title">
        <h3 id="history-title">History</h3>
        {!p.history ? (
          <p aria-busy="true">Loading…</p>
        ) : (
          <ol className="history-list" aria-label="Changes, newest first">
            {p.history.map((e) => (
              <li key={e.version} data-testid="history-entry">
                <span className="history-what">{describeEntry(e, p.zone, names)}</span>
                <span className="history-meta">
                  {e.by.principal} ({e.by.role}) · <time dateTime={e.at}>{formatWhen(e.at, p.zone)}</time> · v
                  {e.version}
                </span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function Field({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** The catalog as a multiple select (Space or Ctrl+click picks several). */
export function ServicesSelect(props: {
  id: string;
  services: readonly ServiceView[];
  value: string[];
  onChange(codes: string[]): void;
  error: string | undefined;
}) {
  return (
    <>
      <label htmlFor={props.id}>Services</label>
      <select
        id={props.id}
        multiple
        size={Math.min(6, Math.max(3, props.services.length))}
        value={props.value}
        onChange={(e) => props.onChange([...e.target.selectedOptions].map((o) => o.value))}
        {...(props.error ? { 'aria-describedby': `${props.id}-err`, 'aria-invalid': true } : {})}
      >
        {props.services.map((s) => (
          <option key={s.code} value={s.code}>
            {s.name} ({s.code})
          </option>
        ))}
      </select>
      <FieldError id={`${props.id}-err`} text={props.error} />
    </>
  );
}
