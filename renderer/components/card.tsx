// Card: a titled surface for one thing (a grant, a form); the heading names the region for assistive tech.
import { useId, type ReactNode } from 'react';

export function Card({ title, subtitle, actions, children, className, headingLevel = 2 }: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  headingLevel?: 2 | 3;
}) {
  const id = useId();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={['card', className ?? ''].filter(Boolean).join(' ')} aria-labelledby={id}>
      <header className="card__header">
        <div className="card__titles">
          <Heading id={id} className="card__title">{title}</Heading>
          {subtitle ? <div className="card__subtitle">{subtitle}</div> : null}
        </div>
        {actions ? <div className="card__actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
