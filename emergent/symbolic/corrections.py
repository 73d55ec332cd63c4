# ruff: noqa: E501  (LaTeX formulas are kept on one line each so that Markdown renders them)
r"""Every corrected or failing equation of the papers in LaTeX: the printed form, the corrected
form and the derivation (written into docs/verification.md by ``emergent verify --report``).

The texts are Markdown with ``$...$`` and ``$$...$$`` mathematics, which GitHub renders. Each
entry names the check (or the hand review, :mod:`emergent.symbolic.review`) that decides the
equation; the check, not this text, decides the verdict. Summation over repeated indices is
implied, as in the papers.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CORRECTIONS", "Correction"]


class Correction(NamedTuple):
    """One corrected (or failing) equation.

    printed: the equation as printed (LaTeX, display); corrected: the corrected statement
    (LaTeX, display; for a failing equation what does hold instead); derivation: Markdown with
    LaTeX, the steps a reader can follow by hand.
    """

    printed: str
    corrected: str
    derivation: str


_ONSAGER_DERIVATION = r"""Write the quadratic form as $Q = \sum_i c_i I_i$ with the five
contractions of $g_{\alpha\beta,\mu}\,g_{\gamma\delta,\nu}$
$$I_1 = g^{\mu\nu}g^{\alpha\gamma}g^{\beta\delta},\quad I_2 = g^{\mu\nu}g^{\alpha\beta}g^{\gamma\delta},\quad I_3 = g^{\mu\gamma}g^{\alpha\nu}g^{\beta\delta},\quad I_4 = g^{\mu\alpha}g^{\nu\gamma}g^{\beta\delta},\quad I_5 = g^{\mu\alpha}g^{\beta\nu}g^{\gamma\delta}.$$
Relabelling the symmetric pairs, the printed tensors give $8\kappa\, L_{(12.9)}\,g\,g = 4 L_{(91)}\,g\,g = -I_1 - I_2 + 2I_3$ (check `onsager-p1-p2`: the two papers agree with each other). The Landau-Lifshitz identity
$$\sqrt{|g|}\,R = \sqrt{|g|}\,g^{\mu\nu}\left(\Gamma^\alpha_{\mu\beta}\Gamma^\beta_{\nu\alpha} - \Gamma^\alpha_{\mu\nu}\Gamma^\beta_{\alpha\beta}\right) + \partial_\mu V^\mu,\qquad V^\mu = \sqrt{|g|}\left(g^{\alpha\beta}\Gamma^\mu_{\alpha\beta} - g^{\mu\alpha}\Gamma^\beta_{\alpha\beta}\right)$$
holds exactly (check `landau-lifshitz`), and the $\Gamma\Gamma$ Lagrangian is
$$g^{\mu\nu}\left(\Gamma^\alpha_{\mu\beta}\Gamma^\beta_{\nu\alpha} - \Gamma^\alpha_{\mu\nu}\Gamma^\beta_{\alpha\beta}\right) = \tfrac14\left(-I_1 + I_2 + 2I_3 - 2I_5\right)$$
(verified symbolically by the check and numerically, from Christoffel symbols built with numpy, by `tests/symbolic/test_gamma_gamma_numeric.py`). Hence
$$\sqrt{|g|}\,R - \sqrt{|g|}\,\tfrac14\left(-I_1 - I_2 + 2I_3\right) = \sqrt{|g|}\,\tfrac12\left(I_2 - I_5\right) + \partial_\mu V^\mu .$$
The Euler-Lagrange derivative of $\sqrt{|g|}(I_2 - I_5)/2$ is not identically zero (for $ds^2 = -dt^2 + e^{2t}dx^2$ at $t = 1$ the $g_{11}$ component is $-e^{-1}$), so the difference is not a total divergence: varying the printed form does not give the Einstein tensor. Solving $\sum_i c_i\,E^{\alpha\beta}(\sqrt{|g|}I_i) = -\sqrt{|g|}\,G^{\alpha\beta}$ over every monomial of the jets gives the unique $c = (-\tfrac14, \tfrac14, \tfrac12, 0, -\tfrac12)$ in $D+1 = 3$ and $4$ (in $D+1 = 2$, $G^{\alpha\beta} \equiv 0$ and a family of null Lagrangians remains)."""

_POINTWISE_DERIVATION = r"""$\sqrt{|g|}R$ contains the second derivatives $g_{\alpha\beta,\mu\nu}$ linearly, while the right side is quadratic in the first derivatives only. In Riemann normal coordinates every $g_{\alpha\beta,\mu}$ vanishes at the origin, so the right side is $0$ there, whereas $R = 2/r^2$ at every point of a 2-sphere of radius $r$ (check `pointwise-89`, D+1 = 2). Only the action integrals can agree, up to the boundary term $\partial_\mu V^\mu$, and then only with the corrected Onsager tensor (see P1 (12.9) / P2 (91))."""

_MU_DERIVATION = r"""Drop the learning terms ($\gamma\,\partial_k^2 p$ in (29), $\gamma\,\partial_k^2F$ in (30)); divide (30) by $\mu$ and (29) by $-\mu$:
$$\partial_t F + \gamma(\partial_k F)^2 + V - \frac{4D}{\mu}\frac{\partial_k^2\sqrt p}{\sqrt p} = 0,\qquad \partial_t p + 2\gamma\,\partial_k\!\left(p\,\partial_k F\right) = 0 .$$
For $i\hbar\,\partial_t\Psi = -\frac{\hbar^2}{2m}\partial_k^2\Psi + V\Psi$ and $\Psi = \sqrt p\,e^{iS/\hbar}$ the real and imaginary parts are $\partial_tS + \frac{(\partial_kS)^2}{2m} + V - \frac{\hbar^2}{2m}\frac{\partial_k^2\sqrt p}{\sqrt p} = 0$ and $\partial_tp + \partial_k(p\,\partial_kS/m) = 0$. With $S = F$ these are the pair above iff $\frac{1}{2m} = \gamma$ and $\frac{\hbar^2}{2m} = \frac{4D}{\mu}$, i.e.
$$\hbar = \sqrt{\frac{4D}{\gamma\mu}},\qquad \frac{1}{\hbar} = \sqrt{\frac{\gamma\mu}{4D}},\qquad \frac{\hbar^2}{2m} = \frac{4D}{\mu}.$$
The check `p2-34-35` solves for these constants (they are unknowns there); the printed forms are the case $\mu = 1$. Tests: `tests/quantum/test_schrodinger.py` runs the solver at $\mu = 2.5$, $\gamma = 0.6$, $D = 0.3$."""

CORRECTIONS: dict[str, Correction] = {
    "P1 (3.4)": Correction(
        r"$$H = \frac12\sum_i\left[\left(\bar x_i - f_i\Big(\sum_j w_{ij}\bar x_j + p_j\Big)\right)^2 - m\bar x_i^2\right]$$",
        r"$$H = \frac12\sum_i\left[\left(\bar x_i - f\Big(\sum_j w_{ij}\bar x_j + b_i\Big)\right)^2 - m\bar x_i^2\right]$$",
        r"The first line of (3.4) is $\frac12(\bar{\mathbf x} - \mathbf f(\hat w\bar{\mathbf x} + \mathbf b))^T(\bar{\mathbf x} - \mathbf f(\hat w\bar{\mathbf x} + \mathbf b)) + V(\bar{\mathbf x})$ with $V = -\frac m2\bar{\mathbf x}^T\bar{\mathbf x}$ (3.3); its $i$-th component has the bias $b_i$, not $p_j$ (P2 (3) has $b_i$). A typo (hand review); `bulk_hamiltonian` is checked against the corrected sum by hand.",
    ),
    "P1 (5.10)": Correction(
        r"$$\hat G\,\mathbf v_i = \hat G\,\lambda_i$$",
        r"$$\hat G\,\mathbf v_i = \lambda_i\,\mathbf v_i$$",
        r"(5.10) introduces the eigenvectors and eigenvalues used in (5.11)-(5.14); the printed right side $\hat G\lambda_i$ is a vector only by accident of notation. With $\hat G\mathbf v_i = \lambda_i\mathbf v_i$, $\log\det(\hat I(1-\beta m) + \beta\hat G) = \sum_i\log(1 - \beta m + \beta\lambda_i)$ (check `p1-5.10`).",
    ),
    "P1 (7.1)": Correction(
        r"$$S = -\langle\log p\rangle = -\beta\frac{\partial}{\partial\beta}\mathcal Z + \mathcal Z = \beta^2\frac{\partial F}{\partial\beta}$$",
        r"$$S = -\langle\log p\rangle = -\beta\frac{\partial}{\partial\beta}\log\mathcal Z + \log\mathcal Z = \beta^2\frac{\partial F}{\partial\beta}$$",
        r"With $p = e^{-\beta H}/\mathcal Z$, $-\log p = \beta H + \log\mathcal Z$, so $S = \beta U + \log\mathcal Z$ and, by (6.1), $U = -\partial_\beta\log\mathcal Z$. With $F = -\log\mathcal Z/\beta$: $\beta^2\partial_\beta F = \log\mathcal Z - \beta\,\partial_\beta\log\mathcal Z$. Counterexample to the printed middle term: $H = x^2/2$, $\beta = 1$ gives $S = (1 + \log 2\pi)/2$ but $-\beta\mathcal Z' + \mathcal Z = \tfrac32\sqrt{2\pi}$ (check `p1-6.1-7.1`).",
    ),
    "P1 (8.4)": Correction(
        r"$$\partial_\beta\mathcal S = \int d^KQ\sum_k\frac{dQ_k}{d\beta}\frac{\partial p}{\partial Q_k}\log(Mp) = \dots \approx -\alpha\int d^KQ\,\sum_k\frac{\partial^2F}{\partial Q_k^2}\,p\log(Mp)\quad(M \ll 1/p)$$",
        r"$$\partial_\beta\mathcal S = \int d^KQ\sum_k\frac{dQ_k}{d\beta}\frac{\partial p}{\partial Q_k}\big(\log(Mp) + 1\big) = -\alpha\int d^KQ\,\Delta F\,p\log(Mp)\quad\text{exactly}$$",
        r"(8.1) is advective, $\partial_\beta p = -\dot Q_k\partial_kp$ with $\dot Q_k = \alpha\,\partial_kF$ (8.2), so $\int p$ is not conserved: $\partial_\beta\int p = \alpha\int\Delta F\,p$. Hence $-\partial_\beta\int p\log(Mp) = \int\dot Q_k\partial_kp\,(\log(Mp) + 1)$; the printed second line drops the $+1$. Integrating by parts, $\alpha\int\partial_kF\,\partial_kp\log(Mp) = -\alpha\int\Delta F\,p\log(Mp) - \alpha\int\partial_kF\,\partial_kp$ and $\alpha\int\partial_kF\,\partial_kp = -\alpha\int\Delta F\,p$, which cancels the $+1$ term: $\partial_\beta\mathcal S = -\alpha\int\Delta F\,p\log(Mp)$ with no condition on $M$; (8.5) is therefore exact. For $F = -\frac12 Q^2$, $K = 3$ Gaussian $p$: exact $\frac{\alpha}{4}(\log(\pi^3/M^6) + 5)$, printed $\frac{\alpha}{4}(\log(\pi^3/M^6) + 11)$ (check `p1-8.4`).",
    ),
    "P1 (8.6)": Correction(
        r"$$\frac{\partial}{\partial\beta}\sigma(\beta,\mathbf Q) = \alpha\sum_k\frac{\partial^2F}{\partial Q_k^2}\,\sigma(\beta,\mathbf Q)$$",
        r"$$\frac{d}{d\beta}\Big[\sigma\big(\beta,\mathbf Q(\beta)\big)\,J(\beta)\Big] = \alpha\,\Delta F\;\sigma\big(\beta,\mathbf Q(\beta)\big)\,J(\beta),\qquad J = \det\frac{\partial\mathbf Q(\beta)}{\partial\mathbf Q(0)}$$",
        r"Under (8.1) $p$ is constant along the trajectories $\dot Q_k = \alpha\,\partial_kF$, and so is $\sigma = -p\log(Mp)$: at a fixed $\mathbf Q$, $\partial_\beta\sigma = -\dot Q_k\,\partial_k\sigma$, not $\alpha\Delta F\sigma$. The volume of a comoving element grows by Liouville's formula, $d\log J/d\beta = \partial_k\dot Q_k = \alpha\Delta F$, so the entropy of a comoving element, $\sigma J$, obeys the printed growth law, and $\int\sigma\,d^KQ = \int\sigma J\,d^KQ_0$ gives (8.5). Hand review; `tests/septuple/test_entropy_density.py` integrates the flow and shows both statements.",
    ),
    "P1 (8.8)": Correction(
        r"$$\sigma(\beta,\mathbf Q) = \sigma(0,\mathbf Q)\exp(\beta\alpha\Delta F)$$",
        r"$$\sigma\big(\beta,\mathbf Q(\beta)\big)\,J(\beta) = \sigma\big(0,\mathbf Q(0)\big)\exp(\beta\alpha\Delta F)\qquad(\Delta F\ \text{independent of}\ \beta)$$",
        r"Integrate the corrected (8.6) along a trajectory: $\sigma$ is carried unchanged and $J = e^{\beta\alpha\Delta F}$ for a quadratic $F$ (constant $\Delta F$). At a fixed $\mathbf Q$ the printed form fails (the test compares it with the advected density at a fixed point and finds a difference above 10 %). Hand review; test `test_p1_eq8_8_holds_for_comoving_volumes_not_at_fixed_q`.",
    ),
    "P1 (8.11)": Correction(
        r"$$\sigma(\beta,\mathbf Q) = \sigma(0,\mathbf Q)\exp\left(-\frac\alpha2\sum_i(1+\beta\lambda_i)^{-2}\right)$$",
        r"$$\sigma J = \sigma_0\exp\left(-\frac{\alpha\beta^2}{2}\sum_i(1+\beta\lambda_i)^{-2}\right)\ \text{((8.8) with (8.10) inserted)};\qquad \sigma J = \sigma_0\exp\left(-\frac\alpha2\sum_i\frac{\log(1+\beta\lambda_i) + (1+\beta\lambda_i)^{-1} - 1}{\lambda_i^2}\right)\ \text{((8.6) integrated)}$$",
        r"""(8.10), $\Delta F = -\frac\beta2\sum_i(1+\beta\lambda_i)^{-2}$, holds (check `p1-8.10-8.11`). Inserted into (8.8), $\beta\alpha\Delta F = -\frac{\alpha\beta^2}{2}\sum_i(1+\beta\lambda_i)^{-2}$: the printed exponent lacks $\beta^2$. Since $\Delta F$ depends on $\beta$, (8.8) itself does not apply; integrating (8.6) instead,
$$\alpha\int_0^\beta\Delta F(b)\,db = -\frac\alpha2\sum_i\int_0^\beta\frac{b\,db}{(1+b\lambda_i)^2} = -\frac\alpha2\sum_i\frac{\log(1+\beta\lambda_i) + (1+\beta\lambda_i)^{-1} - 1}{\lambda_i^2}$$
(substitute $x = b\lambda_i$: $\int x(1+x)^{-2}dx = \log(1+x) + (1+x)^{-1}$). The two differ already at leading order (per eigenvalue, $-\frac{\alpha\beta^2}{2}$ against $-\frac{\alpha\beta^2}{4}$ for small $\beta\lambda_i$), which is why (8.8) cannot be used with a $\beta$-dependent $\Delta F$; `tests/septuple/test_entropy_density.py` checks the integral by quadrature.""",
    ),
    "P1 (9.4)": Correction(
        r"$$\log\lambda = 3\log\left(-\frac12 + \sqrt{\frac14 + \frac1\beta}\right)$$",
        r"$$\log\lambda = 0\quad\text{and}\quad\log\lambda = 2\log\frac{1-\beta}{\beta}\ (\beta < 1),\ \text{exchanging stability at}\ \beta = \tfrac12;\ \text{final phase}\ \beta > \gamma^{-1/2} - 1$$",
        r"For $\gamma = \frac13$, $\frac{\gamma}{\gamma-1} = -\frac12$; with $z = \lambda^{1/2}$, (9.3) is $-\Delta F \propto \frac13(1+\beta z^2)^{-2} + \frac23(1+\beta/z)^{-2}$. Its derivative in $z$ vanishes iff $\frac{4\beta z}{3}(1+\beta z^2)^{-3} = \frac{4\beta}{3z^2}(1+\beta/z)^{-3}$, i.e. $z(1 + \beta/z) = 1 + \beta z^2$, i.e. $\beta z^2 - z + 1 - \beta = 0$, whose roots are $z = 1$ and $z = (1-\beta)/\beta$. So $\log\lambda = 2\log z \in \lbrace 0,\ 2\log\frac{1-\beta}{\beta}\rbrace$; at $\beta = \frac14$ the printed value is $1.3370$, the true stationary points are $0$ (maximum) and $2\log 3 = 2.1972$ (minimum). $-\Delta F(0) = \frac{N\beta}{2(1+\beta)^2}$ falls below the plateau $\frac{N\beta\gamma}{2}$ at $\beta = \gamma^{-1/2} - 1 = \sqrt3 - 1 = 0.732$, the $\beta = 0.73$ of Fig. 1, not at $\sqrt N - 1$ (check `p1-9.4`).",
    ),
    "P1 (9.8)": Correction(
        r"$$\log\hat G = F_1(\hat f'\hat w\hat w^T\hat f')\,\hat f'\hat w + F_2(\hat w^T\hat f'\hat f'\hat w)\,\hat w^T\hat f'$$",
        r"$$\text{false for every } F_1, F_2:\ (\log\hat G)\ \text{has non-zero diagonal blocks; what holds is}\ \operatorname{Tr}\log\hat G = 0\ \text{and}\ \operatorname{Tr}(\log\hat G)^{2n+1} = 0\ (L = 2)$$",
        r"For $L = 2$, $A = \hat f'\hat w$ maps inputs to outputs, $A^2 = 0$, and the right side of (9.8) maps inputs to outputs and back, so its input-input block is zero. Counterexample $N = 2$, $A = E_{21}$: $\hat G = (I - A)^T(I - A) = \begin{pmatrix}2 & -1\\ -1 & 1\end{pmatrix}$ with eigenvalues $\varphi^{\pm2}$ ($\varphi$ the golden ratio), and $(\log\hat G)_{11} = 2\log\varphi/\sqrt5 = 0.4304 \ne 0$. The odd traces still vanish because the spectrum is symmetric under $\lambda \to 1/\lambda$ ($\hat D\hat G\hat D \sim \hat G^{-1}$, check `p1-9.10-9.11`); $\operatorname{Tr}\log\hat G = \log\det\hat G = 0$ by (7.7)-(7.8) (check `p1-9.8`).",
    ),
    "P1 (9.9)": Correction(
        r"$$\operatorname{Tr}\log\hat G = 0,\qquad \operatorname{Tr}(\log\hat G)^2 = \operatorname{Tr}\left[F_2\,\hat w^T\hat f'\,F_1\,\hat f'\hat w + F_1\,\hat f'\hat w\,F_2\,\hat w^T\hat f'\right]$$",
        r"$$\operatorname{Tr}\log\hat G = 0,\qquad \operatorname{Tr}(\log\hat G)^2 = \sum_i(\log\lambda_i)^2 = \mu_2$$",
        r"The first line is $\log\det\hat G = 0$ (7.7)-(7.8) and holds. The second line evaluates $\operatorname{Tr}(\log\hat G)^2$ with the form (9.8), which is false (see (9.8)), so it is not the trace of the square of $\log\hat G$; the trace itself is $\mu_2 = \sum_i(\log\lambda_i)^2$ (9.5), which the package computes and the tests compare with `scipy.linalg.logm` (check `p1-9.8`).",
    ),
    "P1 (11.7)": Correction(
        r"$$\int\!\!\int\sqrt p\left(-2D\,\partial_k^2 + \dot\Phi_{\tilde k}\Theta_{\tilde k}\right)\sqrt p = -4\int\!\!\int\Psi^*\left(\frac D2\Delta + i\frac{d}{dt}\right)\Psi,\qquad \Psi = \sqrt p\,e^{\frac i4\Theta_{\tilde k}\Phi_{\tilde k}}$$",
        r"$$-4\int\!\!\int\Psi^*\left(\frac D2\Delta + i\frac{d}{dt}\right)\Psi = \int\!\!\int\left[\sqrt p\left(-2D\,\partial_k^2\right)\sqrt p + \dot\Phi_{\tilde k}\Theta_{\tilde k}\,p + \frac D8\,p\,\Big|\Phi_{\tilde k}\nabla\Theta_{\tilde k}\Big|^2\right] + \text{boundary terms}$$",
        r"With $\Psi = \sqrt p\,e^{i\theta}$, $\theta = \frac14\Theta_{\tilde k}\Phi_{\tilde k}$: $\int\Psi^*\Delta\Psi = -\int|\nabla\Psi|^2 = -\int\left(|\nabla\sqrt p|^2 + p|\nabla\theta|^2\right)$, so $-4\cdot\frac D2\int\Psi^*\Delta\Psi = \int\sqrt p(-2D\Delta)\sqrt p + 2D\int p|\nabla\theta|^2$ and $2D|\nabla\theta|^2 = \frac D8|\Phi_{\tilde k}\nabla\Theta_{\tilde k}|^2$. The time term: $-4i\int\Psi^*\partial_t\Psi = -2i\,\frac{d}{dt}\int p + 4\int p\,\partial_t\theta = \int p\,\Theta_{\tilde k}\dot\Phi_{\tilde k}$. The printed last equality drops the phase-gradient term; (11.9) is the Euler-Lagrange equation of the $\Psi$ action and holds for it (check `p1-11.7`, counterexample $\Theta\cdot\Phi = 4q_1$).",
    ),
    "P1 (12.3)": Correction(
        r"$$\frac{1}{2\kappa}R = g_{\alpha\beta,\mu}J^{\mu\alpha\beta}$$",
        r"$$\int d^{D+1}x\sqrt{|g|}\,\frac{R}{2\kappa} = \int d^{D+1}x\sqrt{|g|}\,g_{\alpha\beta,\mu}J^{\mu\alpha\beta} + \text{boundary term}\quad(J\ \text{from the corrected Onsager tensor})$$",
        _POINTWISE_DERIVATION,
    ),
    "P1 (12.6)": Correction(
        r"$$\frac{1}{2\kappa}R = L^{\mu\nu\alpha\beta\gamma\delta}g_{\alpha\beta,\mu}g_{\gamma\delta,\nu}$$",
        r"$$\int d^{D+1}x\sqrt{|g|}\,\frac{R}{2\kappa} = \int d^{D+1}x\sqrt{|g|}\,L^{\mu\nu\alpha\beta\gamma\delta}g_{\alpha\beta,\mu}g_{\gamma\delta,\nu} + \text{boundary term}\quad(L\ \text{corrected, see (12.9)})$$",
        _POINTWISE_DERIVATION,
    ),
    "P1 (12.9)": Correction(
        r"$$L^{\mu\nu\alpha\beta\gamma\delta} = \frac{1}{8\kappa}\left(g^{\alpha\nu}g^{\beta\delta}g^{\mu\gamma} + g^{\alpha\gamma}g^{\beta\nu}g^{\mu\delta} - g^{\alpha\gamma}g^{\beta\delta}g^{\mu\nu} - g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu}\right)$$",
        r"$$L^{\mu\nu\alpha\beta\gamma\delta} = \frac{1}{8\kappa}\left(g^{\alpha\nu}g^{\beta\delta}g^{\mu\gamma} + g^{\alpha\gamma}g^{\beta\nu}g^{\mu\delta} - g^{\alpha\gamma}g^{\beta\delta}g^{\mu\nu} + g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu} - g^{\alpha\mu}g^{\beta\nu}g^{\gamma\delta} - g^{\alpha\beta}g^{\gamma\nu}g^{\delta\mu}\right)$$",
        _ONSAGER_DERIVATION + r" In the notation of (12.9): flip the sign of $g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu}$ and add $-(g^{\alpha\mu}g^{\beta\nu}g^{\gamma\delta} + g^{\alpha\beta}g^{\gamma\nu}g^{\delta\mu})$ (symmetric under (12.7)-(12.8) after symmetrising in $(\alpha\beta)$, $(\gamma\delta)$). Check `einstein-from-onsager`.",
    ),
    "P1 (12.10)": Correction(
        r"$$\int\!\sqrt{|g|}\,\frac{R}{2\kappa} = \int\!\sqrt{|g|}\,\frac{1}{8\kappa}\left(g^{\alpha\nu}g^{\beta\delta}g^{\mu\gamma} + g^{\alpha\gamma}g^{\beta\nu}g^{\mu\delta} - g^{\alpha\gamma}g^{\beta\delta}g^{\mu\nu} - g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu}\right)g_{\alpha\beta,\mu}g_{\gamma\delta,\nu}$$",
        r"$$\int\!\sqrt{|g|}\,R = \int\!\sqrt{|g|}\,\frac14\left(2g^{\mu\gamma}g^{\alpha\nu}g^{\beta\delta} - g^{\mu\nu}g^{\alpha\gamma}g^{\beta\delta} + g^{\mu\nu}g^{\alpha\beta}g^{\gamma\delta} - 2g^{\mu\alpha}g^{\beta\nu}g^{\gamma\delta}\right)g_{\alpha\beta,\mu}g_{\gamma\delta,\nu} + \oint\!\sqrt{|g|}\,V^\mu d\Sigma_\mu$$",
        _ONSAGER_DERIVATION + r" The first equality of (12.10), $\sqrt{|g|}R/(2\kappa) = \sqrt{|g|}g^{\mu\nu}\frac1\kappa(\Gamma^\alpha_{\nu[\mu,\alpha]} + \Gamma^\beta_{\nu[\mu}\Gamma^\alpha_{\alpha]\beta})$, holds (it is (12.13) contracted); the check `total-divergence` decides the second.",
    ),
    "P1 (12.12)": Correction(
        r"$$R_{\mu\nu} - \frac12Rg_{\mu\nu} + \Lambda g_{\mu\nu} = \kappa T_{\mu\nu}\quad\text{from varying (12.2)}\ \ \mathcal S = \int\sqrt{|g|}\left(-\frac{R}{2\kappa} + \Lambda + \mathcal L\right)$$",
        r"$$\text{(12.2) as printed gives}\ \ G_{\mu\nu} + \kappa\Lambda g_{\mu\nu} = -\kappa T_{\mu\nu};\quad \text{(12.12) follows from}\ \ \mathcal S = \int\sqrt{|g|}\left(\frac{R - 2\Lambda}{2\kappa} + \mathcal L\right)$$",
        r"""With $\delta(\sqrt{|g|}R) = \sqrt{|g|}\,G_{\mu\nu}\,\delta g^{\mu\nu}$ (up to a divergence), $\delta\sqrt{|g|} = -\frac12\sqrt{|g|}\,g_{\mu\nu}\delta g^{\mu\nu}$ and, by (12.14), $\delta(\sqrt{|g|}\mathcal L) = -\frac12\sqrt{|g|}\,T_{\mu\nu}\delta g^{\mu\nu}$, the variation of (12.2) is
$$\sqrt{|g|}\left(-\frac{1}{2\kappa}G_{\mu\nu} - \frac\Lambda2 g_{\mu\nu} - \frac12T_{\mu\nu}\right) = 0\ \Longleftrightarrow\ G_{\mu\nu} + \kappa\Lambda g_{\mu\nu} = -\kappa T_{\mu\nu},$$
while $\mathcal S = \int\sqrt{|g|}\left(\frac{R-2\Lambda}{2\kappa} + \mathcal L\right)$ gives $\frac{1}{2\kappa}(G_{\mu\nu} + \Lambda g_{\mu\nu}) - \frac12T_{\mu\nu} = 0$, the printed (12.12). (P2 (88) has this sign and P2 (95) holds, check `p2-95-signs`.) Check `p1-12.12-signs`; the Einstein-Hilbert variation itself is check `einstein-hilbert`.""",
    ),
    "P2 (34)": Correction(
        r"$$-i\sqrt{\frac{4D}{\gamma}}\,\frac{\partial\Psi}{\partial t} = \left(4D\,\frac{\partial^2}{\partial q_k^2} - V\right)\Psi$$",
        r"$$-i\sqrt{\frac{4D}{\gamma\mu}}\,\frac{\partial\Psi}{\partial t} = \left(\frac{4D}{\mu}\frac{\partial^2}{\partial q_k^2} - V\right)\Psi$$",
        _MU_DERIVATION,
    ),
    "P2 (35)": Correction(
        r"$$\Psi = \sqrt p\,\exp\left(i\sqrt{\frac{\gamma}{4D}}\,F\right)$$",
        r"$$\Psi = \sqrt p\,\exp\left(i\sqrt{\frac{\gamma\mu}{4D}}\,F\right)$$",
        _MU_DERIVATION,
    ),
    "P2 (36)": Correction(
        r"$$S_q[\Psi] = \int_0^Tdt\int d^Kq\,\Psi^*\left(-4D\frac{\partial^2}{\partial q_k^2} + V - i\sqrt{\frac{4D}{\gamma}}\frac{\partial}{\partial t}\right)\Psi$$",
        r"$$\frac1\mu\,S_q\Big|_{\text{no learning term}} = \operatorname{Re}\int_0^Tdt\int d^Kq\,\Psi^*\left(-\frac{4D}{\mu}\frac{\partial^2}{\partial q_k^2} + V - i\sqrt{\frac{4D}{\gamma\mu}}\frac{\partial}{\partial t}\right)\Psi + \text{boundary terms}$$",
        r"With $\Psi = \sqrt p\,e^{iF/\hbar}$, $\hbar = \sqrt{4D/(\gamma\mu)}$ (see (34)): $\int\Psi^*(-\frac{4D}{\mu}\partial_k^2)\Psi = \frac{4D}{\mu}\int\left(|\partial_k\sqrt p|^2 + \frac{p(\partial_kF)^2}{\hbar^2}\right)$ and $\frac{4D}{\mu\hbar^2} = \gamma$; $-i\hbar\int\Psi^*\partial_t\Psi = -\frac{i\hbar}{2}\frac{d}{dt}\int p + \int p\,\partial_tF$, whose first term is imaginary (and zero for normalised $p$). So the real part is $\int\left[\frac{4D}{\mu}|\partial_k\sqrt p|^2 + \gamma p(\partial_kF)^2 + pV + p\,\partial_tF\right]$, which is (28) without its learning term $\gamma\,p\,\partial_k^2F$, divided by $\mu$ (as $\int\sqrt p(-4D\partial_k^2)\sqrt p = 4D\int|\partial_k\sqrt p|^2$). The printed form is $\mu = 1$ and has no $\operatorname{Re}$ (check `p2-36`).",
    ),
    "P2 (42)": Correction(
        r"$$\frac{d^2q_j}{dt^2} = -\gamma\frac{\partial V}{\partial q_j}\quad\text{from (40)}\ \frac{dq_j}{dt} = \gamma\frac{\partial F}{\partial q_j}\ \text{and (41)}$$",
        r"$$\frac{d^2q_j}{dt^2} = -2\gamma\frac{\partial V}{\partial q_j}\quad\text{along the characteristics}\ \frac{dq_j}{dt} = 2\gamma\frac{\partial F}{\partial q_j} = u_j$$",
        r"Drop the viscous term of (38): $\partial_tF + \gamma(\partial_kF)^2 + V = 0$, a Hamilton-Jacobi equation with $H(q, P) = \gamma P^2 + V$, $P = \nabla F$. Its characteristics are $\dot q_j = \partial H/\partial P_j = 2\gamma P_j$ and $\dot P_j = -\partial_jV$, so $\ddot q_j = 2\gamma\dot P_j = -2\gamma\,\partial_jV$. Along the drift (40) instead, $\ddot q_j = \gamma\frac{d}{dt}\partial_jF = \gamma\,\partial_j\left(\partial_tF + \frac\gamma2(\partial_kF)^2\right) = -\gamma\,\partial_jV - \frac{\gamma^2}{2}\partial_j(\partial_kF)^2$, which is not a closed Newton law. Check `p2-42`; `tests/quantum/test_hamilton_jacobi.py` follows both curves on the grid solution.",
    ),
    "P2 (47)": Correction(
        r"$$\frac\gamma\mu\sum_k\frac{\partial^2F}{\partial q_k^2} = \frac\gamma\mu\sum_{i,j,k}\frac{\partial^2F}{\partial\lambda_i\partial\lambda_j}\frac{\partial\lambda_i}{\partial q_k}\frac{\partial\lambda_j}{\partial q_k} = -\frac{\gamma\beta}{2\mu}\sum_{i,k}\big((1-\beta m) + \beta\lambda_i\big)^{-2}\left(\frac{\partial\lambda_i}{\partial q_k}\right)^2 = \dots$$",
        r"$$\frac\gamma\mu\sum_k\frac{\partial^2F}{\partial q_k^2} = \frac\gamma\mu\sum_{i,j,k}\frac{\partial^2F}{\partial\lambda_i\partial\lambda_j}\frac{\partial\lambda_i}{\partial q_k}\frac{\partial\lambda_j}{\partial q_k} + \frac\gamma\mu\sum_{i,k}\frac{\partial F}{\partial\lambda_i}\frac{\partial^2\lambda_i}{\partial q_k^2}$$",
        r"The chain rule twice: $\partial_k^2F = F_{\lambda_i\lambda_j}\,\partial_k\lambda_i\,\partial_k\lambda_j + F_{\lambda_i}\,\partial_k^2\lambda_i$. The printed first equality drops the second term; the remaining equalities hold ($F_{\lambda_i\lambda_i} = -\frac\beta2((1-\beta m)+\beta\lambda_i)^{-2} = -2\beta F_{\lambda_i}^2$, $F_{\lambda_i\lambda_j} = 0$ for $i \ne j$). (47) holds as printed when every $\lambda_i$ is affine in $q$ (check `p2-47-48`).",
    ),
    "P2 (48)": Correction(
        r"$$H\left(q_k, \frac{\partial F}{\partial q_k}\right) = V + \gamma\frac{\partial F}{\partial q_m}\left(\delta_{mn} - \frac{2\beta}{\mu}\frac{\partial q_m}{\partial\lambda_i}\left(\frac{\partial\lambda_i}{\partial q_k}\right)^2\frac{\partial q_n}{\partial\lambda_i}\right)\frac{\partial F}{\partial q_n}$$",
        r"$$H = V + \gamma\frac{\partial F}{\partial q_m}\left(\delta_{mn} - \frac{2\beta}{\mu}\frac{\partial q_m}{\partial\lambda_i}\left(\frac{\partial\lambda_i}{\partial q_k}\right)^2\frac{\partial q_n}{\partial\lambda_i}\right)\frac{\partial F}{\partial q_n} + \frac\gamma\mu\,\frac{\partial q_m}{\partial\lambda_i}\frac{\partial F}{\partial q_m}\,\Delta_q\lambda_i$$",
        r"Insert the corrected (47) into (39) and use $F_{\lambda_i} = \frac{\partial q_m}{\partial\lambda_i}\partial_mF$: the extra term is $\frac\gamma\mu F_{\lambda_i}\Delta_q\lambda_i$, still linear in the first derivatives of $F$, so the conclusion (the Hamiltonian depends on $q$ and $\partial F/\partial q$ only) stands. Counterexample to the printed form: $\lambda = (q_1^2 + q_2,\ q_2^2 + 1)$, $q = (1, 1)$, $\beta = 1$, $m = 0$, $\gamma = 1$, $\mu = 2$: $H_{(39)} - H_{(48)} = \frac13$ (check `p2-48`).",
    ),
    "P2 (76)": Correction(
        r"$$\mathcal A = \int d\sigma\,d\tau\,\sqrt{-h}\,h^{ab}\,\eta_{\mu\nu}\,\frac{\partial\bar x^{(\mu)}}{\partial\xi^a}\frac{\partial\bar x^{(\mu)}}{\partial\xi^b}$$",
        r"$$\mathcal A = \int d\sigma\,d\tau\,\sqrt{-h}\,h^{ab}\,\eta_{\mu\nu}\,\frac{\partial\bar x^{(\mu)}}{\partial\xi^a}\frac{\partial\bar x^{(\nu)}}{\partial\xi^b}$$",
        r"The index of the second factor must be $\nu$, contracted with $\eta_{\mu\nu}$ (the Polyakov action). In conformal gauge $h_{ab} = \eta_{ab}$ its Euler-Lagrange equation is (73)-(74) and its $h$-variation gives the constraints (75). Hand review; `polyakov_density` implements the corrected form and the tests check it on the pulsating string (twice Nambu-Goto on shell) and for Weyl invariance.",
    ),
    "P2 (77)": Correction(
        r"$$\mathcal A = g^i_{\mu\nu}\left(\alpha^2\,x_i^{(\mu)}G_{ij}x_j^{(\nu)} + \frac{d\bar x_i^{(\mu)}}{d\tau}\frac{d\bar x_i^{(\nu)}}{d\tau}\right)$$",
        r"$$\mathcal A = g^i_{\mu\nu}\left(\frac{d\bar x_i^{(\mu)}}{d\tau}\frac{d\bar x_i^{(\nu)}}{d\tau} - \alpha^2\,x_i^{(\mu)}G_{ij}x_j^{(\nu)}\right)$$",
        r"For $\hat w = \hat\pi$, $\hat f' = \hat I$ (P2 (67)) $\hat G = 2\hat I - \hat\pi - \hat\pi^T$, so $(\hat G\mathbf x)_i = -(x_{i+1} - 2x_i + x_{i-1})$. With $g = \eta$ (or any constant invertible $g$), the Euler-Lagrange equations of the printed action are $\ddot x_i = +\alpha^2(\hat G\mathbf x)_i = -\alpha^2(x_{i+1} - 2x_i + x_{i-1})$: in the continuum $x_{\tau\tau} = -x_{\sigma\sigma}$, an elliptic equation whose Fourier modes grow as $e^{2\alpha|\sin(k/2)|\tau}$, not the wave equation (73) P2 says (77) reduces to. With the relative minus sign, $\ddot x_i = \alpha^2(x_{i+1} - 2x_i + x_{i-1})$, the discrete (73). Check `p2-77-78` (SymPy, $N = 5$, $g = \eta$ and a generic constant $g$).",
    ),
    "P2 (78)": Correction(
        r"$$g^i_{\mu\nu}\left(\frac{\partial^2}{\partial\tau^2}\bar x_i^{(\nu)} - \alpha^2\langle G_{ij}x_j^{(\nu)}\rangle\right) = 0$$",
        r"$$g^i_{\mu\nu}\left(\frac{\partial^2}{\partial\tau^2}\bar x_i^{(\nu)} + \alpha^2\langle G_{ij}x_j^{(\nu)}\rangle\right) = 0$$",
        r"(78) as printed is the Euler-Lagrange equation of (77) as printed (check `p2-77-78` verifies this), so it inherits the sign error: for $g = \eta$, $\hat w = \hat\pi$, $\hat f' = \hat I$ it reads $\ddot x_i = -\alpha^2(x_{i+1} - 2x_i + x_{i-1})$. The Euler-Lagrange equation of the corrected (77) is the corrected (78), which reduces to the discrete wave equation; `emergent.chains.interactions` integrates it (energy conserved, d'Alembert recovered at $O(N^{-2})$).",
    ),
    "P2 (87)": Correction(
        r"$$A = 2\kappa\int d^{D+1}X\sqrt{-g}\,\Lambda$$",
        r"$$A = -\frac2\kappa\int d^{D+1}X\sqrt{-g}\,\Lambda$$",
        r"(84) is $S_x = \int\sqrt{-g}\,(R + \kappa\mathcal L_M) + \kappa A$. For it to become (88), $\int\sqrt{-g}(R - 2\Lambda + \kappa\mathcal L_M)$, one needs $\kappa A = -2\int\sqrt{-g}\Lambda$. The printed $A = 2\kappa\int\sqrt{-g}\Lambda$ gives $R + 2\kappa^2\Lambda + \kappa\mathcal L_M$ (and $2/\kappa$, if a fraction bar was lost in extraction, gives $R + 2\Lambda + \dots$): the sign is wrong either way (check `p2-87-88`).",
    ),
    "P2 (89)": Correction(
        r"$$\sqrt{-g}\,R = \sqrt{-g}\,L^{\mu\nu\alpha\beta\gamma\delta}g_{\alpha\beta,\mu}g_{\gamma\delta,\nu}$$",
        r"$$\int d^{D+1}X\sqrt{-g}\,R = \int d^{D+1}X\sqrt{-g}\,L^{\mu\nu\alpha\beta\gamma\delta}g_{\alpha\beta,\mu}g_{\gamma\delta,\nu} + \text{boundary term}\quad(L\ \text{corrected, see (91)})$$",
        _POINTWISE_DERIVATION,
    ),
    "P2 (91)": Correction(
        r"$$\sqrt{-g}\,L^{\mu\nu\alpha\beta\gamma\delta} = \frac14\sqrt{-g}\left(2g^{\alpha\gamma}g^{\beta\nu}g^{\mu\delta} - g^{\alpha\gamma}g^{\beta\delta}g^{\mu\nu} - g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu}\right)$$",
        r"$$\sqrt{-g}\,L^{\mu\nu\alpha\beta\gamma\delta} = \frac14\sqrt{-g}\left(2g^{\alpha\gamma}g^{\beta\nu}g^{\mu\delta} - g^{\alpha\gamma}g^{\beta\delta}g^{\mu\nu} + g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu} - g^{\alpha\mu}g^{\beta\nu}g^{\gamma\delta} - g^{\alpha\beta}g^{\gamma\nu}g^{\delta\mu}\right)$$",
        _ONSAGER_DERIVATION + r" Check `einstein-from-onsager`.",
    ),
    "P2 (92)": Correction(
        r"$$\int d^{D+1}X\sqrt{-g}\,R = \int d^{D+1}X\sqrt{-g}\,\frac14\left(2g^{\alpha\gamma}g^{\beta\nu}g^{\mu\delta} - g^{\alpha\gamma}g^{\beta\delta}g^{\mu\nu} - g^{\alpha\beta}g^{\gamma\delta}g^{\mu\nu}\right)g_{\alpha\beta,\mu}g_{\gamma\delta,\nu}$$",
        r"$$\int d^{D+1}X\sqrt{-g}\,R = \int d^{D+1}X\sqrt{-g}\,\frac14\left(2g^{\mu\gamma}g^{\alpha\nu}g^{\beta\delta} - g^{\mu\nu}g^{\alpha\gamma}g^{\beta\delta} + g^{\mu\nu}g^{\alpha\beta}g^{\gamma\delta} - 2g^{\mu\alpha}g^{\beta\nu}g^{\gamma\delta}\right)g_{\alpha\beta,\mu}g_{\gamma\delta,\nu} + \text{boundary term}$$",
        _ONSAGER_DERIVATION + r" The first equality of (92) ($R$ as $g^{\mu\nu}$ times twice the bracket of (96)) holds; check `total-divergence` decides the second.",
    ),
    "P2 (99)": Correction(
        r"$$\hat w_\partial(\epsilon) = \hat P_\partial\,\epsilon\hat w\left(\hat I - \epsilon\hat w\right)\hat P_\partial^T$$",
        r"$$\hat w_\partial(\epsilon) = \hat P_\partial\,\epsilon\hat w\left(\hat I - \epsilon\hat w\right)^{-1}\hat P_\partial^T = \hat P_\partial\sum_{L\ge1}\epsilon^L\hat w^L\,\hat P_\partial^T$$",
        r"(100) reads the number of bulk neurons of a chain from $\log_\epsilon w^\partial_{ij} - 1$, which requires $w^\partial_{ij} = \epsilon^{L+1}$ for a chain with $L$ bulk neurons: the generating function $\sum_L\epsilon^L\hat w^L = \epsilon\hat w(\hat I - \epsilon\hat w)^{-1}$ of the paths. Without the inverse, $\hat P\epsilon\hat w(\hat I - \epsilon\hat w)\hat P^T = \hat P(\epsilon\hat w - \epsilon^2\hat w^2)\hat P^T$ sees only paths of one or two steps. The extracted text keeps other exponents (the $-1/2$ of (7)), so the inverse is missing as printed. Hand review; the package solves the resolvent sparsely and the tests compare it with the path sum.",
    ),
}
"""Printed form, corrected form and derivation of every equation the ledger marks "holds with
correction" or "fails", keyed by ``"P1 (8.11)"``."""
