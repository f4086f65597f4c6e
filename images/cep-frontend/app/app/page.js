import { cmsApiUrl, getCourses } from "./cms";

// Rendered per request on the server: the courses come from the CMS at that moment.
export const dynamic = "force-dynamic";

export default async function Home() {
  const result = await getCourses();
  return (
    <main>
      <h1>CEP Comunicación</h1>
      <h2>Cursos</h2>
      {result.error ? (
        <p data-cms="error">El catálogo no está disponible ({result.error}).</p>
      ) : (
        <>
          <p data-cms="ok" data-total-docs={result.totalDocs}>
            {result.totalDocs} cursos
          </p>
          <ul>
            {result.docs.map((c) => (
              <li key={c.id} data-course-id={c.id}>
                {c.title}
              </li>
            ))}
          </ul>
        </>
      )}
      <footer>
        <small>CMS: {cmsApiUrl()}</small>
      </footer>
    </main>
  );
}
