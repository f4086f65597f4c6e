import { cmsApiUrl, count } from "./cms";

export const dynamic = "force-dynamic";

const PUBLIC = ["courses", "course-runs", "sites", "cycles"];

export default async function Dashboard() {
  const counts = await Promise.all(PUBLIC.map(async (c) => [c, await count(c)]));
  return (
    <main>
      <h1>CEP Admin</h1>
      <p>Panel de marketing: cursos, convocatorias, sedes y ciclos del CMS.</p>
      <table>
        <tbody>
          {counts.map(([c, r]) => (
            <tr key={c} data-collection={c}>
              <th>{c}</th>
              <td>{r.error ? `error: ${r.error}` : r.totalDocs}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <footer>
        <small>CMS: {cmsApiUrl()}</small>
      </footer>
    </main>
  );
}
